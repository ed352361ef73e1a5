namespace LiveIm.LoadTest.Measurement;

/// <summary>
/// A log-bucketed histogram of non-negative values (the load test records microseconds), safe for concurrent
/// <see cref="Record"/> calls from many receive loops.
/// </summary>
/// <remarks>
/// Values 0..15 get a bucket each. Above that, every power of two is cut into 16 equal sub-buckets, so a bucket is at
/// most 1/16 of its lower bound wide: a percentile read from it is off by at most 6.25 % (HdrHistogram's idea with one
/// significant hex digit). 16 + 59 × 16 = 960 buckets cover every long in 7.7 KB, and recording is two
/// interlocked adds and a compare-exchange only when the maximum grows.
/// </remarks>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;

    // Exponents 4..62 (a long is at most 2^63 - 1) each get SubBuckets buckets after the 16 exact ones.
    private const int BucketCount = SubBuckets + (63 - SubBucketBits) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _max = -1;
    private long _sum;

    /// <summary>Values recorded.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>The largest value recorded, or 0 when empty.</summary>
    public long Max => Math.Max(0, Volatile.Read(ref _max));

    /// <summary>The mean, or 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Volatile.Read(ref _sum) / Count;

    /// <summary>Records <paramref name="value"/>; a negative value counts as 0.</summary>
    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }

        Interlocked.Increment(ref _counts[IndexOf(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);
        AtomicMax.Raise(ref _max, value);
    }

    /// <summary>
    /// The value at percentile <paramref name="percentile"/> (0..100]: the upper edge of the bucket holding the
    /// ceil(p × count)-th smallest value, capped at <see cref="Max"/>. 0 when empty.
    /// </summary>
    public long Percentile(double percentile)
    {
        if (double.IsNaN(percentile) || percentile <= 0 || percentile > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is in (0, 100].");
        }

        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }

        return Max;
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (var i = 0; i < BucketCount; i++)
        {
            var n = Volatile.Read(ref other._counts[i]);
            if (n != 0)
            {
                Interlocked.Add(ref _counts[i], n);
            }
        }

        Interlocked.Add(ref _count, other.Count);
        Interlocked.Add(ref _sum, Volatile.Read(ref other._sum));
        if (other.Count > 0)
        {
            AtomicMax.Raise(ref _max, other.Max);
        }
    }

    /// <summary>The bucket of <paramref name="value"/> (≥ 0).</summary>
    internal static int IndexOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var exponent = 63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)value); // ≥ SubBucketBits
        var sub = (int)((ulong)value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return SubBuckets + (exponent - SubBucketBits) * SubBuckets + sub;
    }

    /// <summary>The smallest value of bucket <paramref name="index"/>.</summary>
    internal static long LowerBound(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var exponent = (index - SubBuckets) / SubBuckets + SubBucketBits;
        var sub = (index - SubBuckets) % SubBuckets;
        return (long)((1UL << exponent) + ((ulong)sub << (exponent - SubBucketBits)));
    }

    /// <summary>The largest value of bucket <paramref name="index"/>.</summary>
    internal static long UpperBound(int index) =>
        index + 1 < BucketCount ? LowerBound(index + 1) - 1 : long.MaxValue;
}
