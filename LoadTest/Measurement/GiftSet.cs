namespace LiveIm.LoadTest.Measurement;

/// <summary>
/// The gift numbers one receiver has seen, as a bitmap (gift n is bit n). A run sends a few gifts a second, so even
/// an hour of gifts is a few KB per receiver; 10,000 receivers × a few hundred gifts is well under a megabyte.
/// One writer (the receiver's receive loop); the runner reads it after the step has drained.
/// </summary>
public sealed class GiftSet
{
    private ulong[] _bits = new ulong[2];
    private long _duplicates;

    /// <summary>Gifts that arrived again after they had been seen (a delivery promised once, made twice).</summary>
    public long Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Marks gift <paramref name="number"/> seen.</summary>
    public void Add(long number)
    {
        if (number < 0 || number > int.MaxValue)
        {
            return;
        }

        var word = (int)(number >> 6);
        var bits = _bits;
        if (word >= bits.Length)
        {
            var grown = new ulong[Math.Max(word + 1, bits.Length * 2)];
            bits.CopyTo(grown, 0);
            Volatile.Write(ref _bits, grown);
            bits = grown;
        }

        var mask = 1UL << (int)(number & 63);
        if ((bits[word] & mask) != 0)
        {
            _duplicates++;
            return;
        }

        bits[word] |= mask;
    }

    /// <summary>True when gift <paramref name="number"/> was seen.</summary>
    public bool Contains(long number)
    {
        if (number < 0 || number > int.MaxValue)
        {
            return false;
        }

        var bits = Volatile.Read(ref _bits);
        var word = (int)(number >> 6);
        return word < bits.Length && (Volatile.Read(ref bits[word]) & (1UL << (int)(number & 63))) != 0;
    }
}
