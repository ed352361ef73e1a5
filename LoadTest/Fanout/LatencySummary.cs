using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Fanout;

/// <summary>Publish-to-receive latency of one lane in one step, milliseconds.</summary>
/// <param name="Count">Samples (events traced).</param>
/// <param name="P50">Median.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="P999">99.9th percentile.</param>
/// <param name="Max">Largest.</param>
public sealed record LatencySummary(long Count, double P50, double P99, double P999, double Max)
{
    /// <summary>Reads a histogram of microseconds.</summary>
    public static LatencySummary From(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        return new LatencySummary(
            histogram.Count,
            histogram.Percentile(50) / 1000.0,
            histogram.Percentile(99) / 1000.0,
            histogram.Percentile(99.9) / 1000.0,
            histogram.Max / 1000.0);
    }

    /// <summary>"1.2 / 4.5 / 9.8 / 12" (ms), or "no samples".</summary>
    public override string ToString() => Count == 0
        ? "no samples"
        : $"{Ms(P50)} / {Ms(P99)} / {Ms(P999)} / {Ms(Max)}";

    private static string Ms(double ms) => ms switch
    {
        < 10 => ms.ToString("0.0#", System.Globalization.CultureInfo.InvariantCulture),
        < 100 => ms.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
        _ => ms.ToString("#,0", System.Globalization.CultureInfo.InvariantCulture),
    };
}
