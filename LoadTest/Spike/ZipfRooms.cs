namespace LiveIm.LoadTest.Spike;

/// <summary>Room sizes for many-rooms: Zipf-distributed (size of rank i ∝ 1 / i^s), summing exactly to the viewers given.</summary>
internal static class ZipfRooms
{
    /// <summary>
    /// <paramref name="viewers"/> viewers over <paramref name="rooms"/> rooms by Zipf(<paramref name="exponent"/>), largest
    /// first, by largest remainder so the sizes add up; every room gets at least one while there are viewers for it.
    /// </summary>
    public static int[] Sizes(int viewers, int rooms, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(viewers);
        ArgumentOutOfRangeException.ThrowIfLessThan(rooms, 1);
        var sizes = new int[rooms];
        var floor = Math.Min(1, viewers / rooms); // one each when there are enough viewers
        var rest = viewers - floor * rooms;
        var weights = Enumerable.Range(1, rooms).Select(i => 1.0 / Math.Pow(i, exponent)).ToArray();
        var total = weights.Sum();
        var shares = weights.Select(w => rest * w / total).ToArray();
        var given = 0;
        for (var i = 0; i < rooms; i++)
        {
            sizes[i] = floor + (int)Math.Floor(shares[i]);
            given += (int)Math.Floor(shares[i]);
        }

        foreach (var i in Enumerable.Range(0, rooms).OrderByDescending(i => shares[i] - Math.Floor(shares[i])).ThenBy(i => i).Take(rest - given))
        {
            sizes[i]++;
        }

        return sizes;
    }

    /// <summary>Which room each viewer joins: room i appears sizes[i] times, shuffled so a ramp fills every room at once.</summary>
    public static int[] Placement(int[] sizes, int seed)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var placement = sizes.SelectMany((size, room) => Enumerable.Repeat(room, size)).ToArray();
        new Random(seed).Shuffle(placement);
        return placement;
    }
}
