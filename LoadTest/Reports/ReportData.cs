using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary>The time series as a table: one column per series, one row per second (NaN where a series had no value).</summary>
public sealed record ReportData(IReadOnlyList<string> Columns, IReadOnlyList<double[]> Rows)
{
    /// <summary>Builds the table from the samples; the first column is <c>t</c> (seconds), the rest sorted by name.</summary>
    public static ReportData From(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = result.Samples.SelectMany(s => s.Values.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var columns = names.Prepend("t").ToArray();
        var rows = result.Samples.Select(s => names.Select(n => s.Values.TryGetValue(n, out var v) ? v : double.NaN).Prepend(Math.Round(s.Seconds, 3)).ToArray()).ToArray();
        return new ReportData(columns, rows);
    }
}
