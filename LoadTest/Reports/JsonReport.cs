using System.Text.Json;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary><c>report.json</c>: the run's summary, final values, thresholds and the time series (columns + rows; null for no value).</summary>
public static class JsonReport
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>The document as an object (also embedded in report.html).</summary>
    public static object Document(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var data = ReportData.From(result);
        return new
        {
            name = result.Name,
            startedUtc = result.StartedUtc,
            durationSeconds = Math.Round(result.Duration.TotalSeconds, 3),
            passed = result.Passed,
            scenarios = result.Scenarios,
            figures = result.Figures.Select(f => new { label = f.Key, value = f.Value }),
            thresholds = result.Thresholds.Select(t => new { rule = t.Description, passed = t.Passed, actual = t.Actual is { } a && double.IsFinite(a) ? a : (double?)null, why = t.Why }),
            steps = result.Steps.Select(s => new
            {
                scenario = s.Scenario, name = s.Name, ok = s.Ok, failed = s.Failed, failPercent = s.FailPercent, failures = s.Failures, bytes = s.Bytes,
                latencyMs = new { count = s.Latency.Count, mean = s.Latency.Mean, p50 = s.Latency.P50, p75 = s.Latency.P75, p95 = s.Latency.P95, p99 = s.Latency.P99, p999 = s.Latency.P999, max = s.Latency.Max },
                lastError = s.LastError,
            }),
            values = result.Values.Where(kv => double.IsFinite(kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
            notes = result.Notes,
            series = new { columns = data.Columns, rows = data.Rows.Select(r => r.Select(v => double.IsFinite(v) ? Math.Round(v, 3) : (double?)null)) },
        };
    }

    public static string Render(RunResult result) => JsonSerializer.Serialize(Document(result), Options);
}
