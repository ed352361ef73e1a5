using LiveIm.LoadTest.Measurement;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void An_empty_histogram_reports_zero()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Count);
        Assert.Equal(0, h.Percentile(50));
        Assert.Equal(0, h.Percentile(99.9));
        Assert.Equal(0, h.Max);
    }

    [Fact]
    public void Percentiles_of_a_uniform_spread_are_within_one_sixteenth()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100_000; v++)
        {
            h.Record(v);
        }

        Assert.Equal(100_000, h.Count);
        Assert.Equal(100_000, h.Max);
        AssertNear(50_000, h.Percentile(50));
        AssertNear(99_000, h.Percentile(99));
        AssertNear(99_900, h.Percentile(99.9));
        Assert.Equal(100_000, h.Percentile(100));
        Assert.Equal(50_000.5, h.Mean, 3);
    }

    [Fact]
    public void A_percentile_never_reads_below_the_true_value_nor_above_the_max()
    {
        var h = new LatencyHistogram();
        foreach (var v in new long[] { 3, 17, 250, 999, 12_345, 1_000_000 })
        {
            h.Record(v);
        }

        // 6 values: p50 is the 3rd smallest (250), p99 the 6th (the max).
        Assert.InRange(h.Percentile(50), 250, 250 * 17 / 16);
        Assert.Equal(1_000_000, h.Percentile(99));
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var h = new LatencyHistogram();
        h.Record(0);
        h.Record(7);
        h.Record(15);
        Assert.Equal(0, h.Percentile(33));
        Assert.Equal(7, h.Percentile(66));
        Assert.Equal(15, h.Percentile(100));
    }

    [Fact]
    public void A_negative_value_counts_as_zero()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        Assert.Equal(1, h.Count);
        Assert.Equal(0, h.Percentile(50));
    }

    [Fact]
    public void Buckets_tile_every_long_without_gaps()
    {
        var index = 0;
        long lower = 0;
        while (true)
        {
            Assert.Equal(lower, LatencyHistogram.LowerBound(index));
            Assert.Equal(index, LatencyHistogram.IndexOf(lower));
            var upper = LatencyHistogram.UpperBound(index);
            Assert.Equal(index, LatencyHistogram.IndexOf(upper));
            if (upper == long.MaxValue)
            {
                break;
            }

            // A bucket is at most 1/16 of its lower bound wide (exact below 16).
            Assert.True(upper - lower + 1 <= Math.Max(1, lower / 16), $"bucket {index} [{lower}, {upper}] is too wide");
            lower = upper + 1;
            index++;
        }
    }

    [Fact]
    public void Concurrent_records_are_all_counted()
    {
        var h = new LatencyHistogram();
        Parallel.For(0, 8, _ =>
        {
            for (var v = 0; v < 10_000; v++)
            {
                h.Record(v);
            }
        });
        Assert.Equal(80_000, h.Count);
        Assert.Equal(9_999, h.Max);
    }

    [Fact]
    public void Adding_merges_counts_and_max()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        b.Record(1_000);
        b.Record(2_000);
        a.Add(b);
        Assert.Equal(3, a.Count);
        Assert.Equal(2_000, a.Max);
        AssertNear(1_000, a.Percentile(50));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void A_percentile_outside_0_to_100_is_refused(double p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LatencyHistogram().Percentile(p));
    }

    private static void AssertNear(long expected, long actual) =>
        Assert.InRange(actual, expected, expected + expected / 16);
}
