using HdrHistogram;

namespace LiveIm.LoadTest.Runner;

/// <summary>Percentiles of a latency histogram, in milliseconds.</summary>
public sealed record LatencyStats(long Count, double Mean, double P50, double P75, double P95, double P99, double P999, double Max)
{
    /// <summary>No samples.</summary>
    public static readonly LatencyStats Empty = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Reads a histogram of microseconds.</summary>
    public static LatencyStats From(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        return new LatencyStats(histogram.TotalCount, histogram.GetMean() / 1000.0,
            Ms(histogram, 50), Ms(histogram, 75), Ms(histogram, 95), Ms(histogram, 99), Ms(histogram, 99.9), histogram.GetMaxValue() / 1000.0);
    }

    /// <summary>The named values of these stats: <c>prefix.p99</c> and so on (<c>prefix.count</c> too).</summary>
    public IEnumerable<KeyValuePair<string, double>> Named(string prefix)
    {
        yield return new($"{prefix}.count", Count);
        yield return new($"{prefix}.mean", Mean);
        yield return new($"{prefix}.p50", P50);
        yield return new($"{prefix}.p75", P75);
        yield return new($"{prefix}.p95", P95);
        yield return new($"{prefix}.p99", P99);
        yield return new($"{prefix}.p999", P999);
        yield return new($"{prefix}.max", Max);
    }

    private static double Ms(HistogramBase histogram, double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
}
