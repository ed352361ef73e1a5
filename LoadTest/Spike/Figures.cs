using System.Globalization;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>The key figures the scenarios report, read from the metrics and the samples.</summary>
internal static class Figures
{
    /// <summary>"p50 12.3 / p99 45.6 / max 78.9 ms (n 1,234)" of a histogram or step, "no samples" when empty.</summary>
    public static string Latency(LatencyStats stats) => stats.Count == 0
        ? "no samples"
        : string.Create(CultureInfo.InvariantCulture, $"p50 {stats.P50:0.#} / p99 {stats.P99:0.#} / max {stats.Max:0.#} ms (n {stats.Count:N0})");

    /// <summary>The latency figure of histogram <paramref name="name"/>.</summary>
    public static string Histogram(MetricsRegistry metrics, string name) =>
        metrics.Histograms.TryGetValue(name, out var h) ? Latency(h.Total()) : "no samples";

    /// <summary>The latency figure of step <paramref name="name"/>.</summary>
    public static string Step(MetricsRegistry metrics, string name) =>
        metrics.Steps.FirstOrDefault(s => s.Name == name) is { } step ? Latency(step.Latency.Total()) : "no samples";

    /// <summary>"1,234 ok, 5 failed (rate_limited 5)".</summary>
    public static string Outcomes(MetricsRegistry metrics, string step)
    {
        var s = metrics.Steps.FirstOrDefault(x => x.Name == step);
        if (s is null)
        {
            return "none";
        }

        var failures = s.Failures;
        var codes = failures.Count == 0 ? string.Empty : " (" + string.Join(", ", failures.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}")) + ")";
        return string.Create(CultureInfo.InvariantCulture, $"{s.Ok:N0} ok, {failures.Values.Sum():N0} failed{codes}");
    }

    /// <summary>
    /// How long after <paramref name="fromSeconds"/> RoomService's online count first matched the members the run
    /// holds (viewers connected + <paramref name="others"/>), within 1 % or 1; "never" when it did not.
    /// </summary>
    public static string OnlineConvergence(IReadOnlyList<Sample> samples, double fromSeconds, int others)
    {
        foreach (var s in samples.Where(s => s.Seconds >= fromSeconds))
        {
            var online = s.Get("online", double.NaN);
            var expected = s.Get("connections", double.NaN) + others;
            if (double.IsFinite(online) && double.IsFinite(expected) && Math.Abs(online - expected) <= Math.Max(1, expected * 0.01))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{s.Seconds - fromSeconds:0} s after the ramp (online {online:N0}, members {expected:N0})");
            }
        }

        var last = samples.LastOrDefault(s => double.IsFinite(s.Get("online", double.NaN)));
        return last is null ? "not measured (GET /api/rooms/{roomId} did not answer)" : string.Create(CultureInfo.InvariantCulture, $"never (last online {last.Get("online"):N0})");
    }

    /// <summary>Formats a count.</summary>
    public static string Count(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
