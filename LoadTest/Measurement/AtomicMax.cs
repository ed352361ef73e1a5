namespace LiveIm.LoadTest.Measurement;

/// <summary>Raises a shared maximum from many threads without a lock (<see cref="Interlocked"/> has no Max).</summary>
public static class AtomicMax
{
    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> when that is larger than what it holds.</summary>
    public static void Raise(ref long location, long value)
    {
        var seen = Volatile.Read(ref location);
        while (value > seen)
        {
            var before = Interlocked.CompareExchange(ref location, value, seen);
            if (before == seen)
            {
                return;
            }

            seen = before;
        }
    }
}
