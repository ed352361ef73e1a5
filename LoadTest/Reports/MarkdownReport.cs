using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary><c>report.md</c> (also what the command prints): thresholds, key figures, steps, the scenarios and notes.</summary>
public static class MarkdownReport
{
    public static string Render(RunResult result, IEnumerable<string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# spike {result.Name} — {(result.Passed ? "PASSED" : "FAILED")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{result.StartedUtc:yyyy-MM-dd HH:mm:ss} UTC, load {result.Duration.TotalSeconds:0.0} s.");
        foreach (var line in header ?? [])
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {line}");
        }

        md.AppendLine();
        md.AppendLine("## Thresholds");
        md.AppendLine();
        md.AppendLine("| rule | result | actual |");
        md.AppendLine("|---|---|---|");
        foreach (var t in result.Thresholds)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{t.Description}` | {(t.Passed ? "pass" : "**FAIL**")} | {t.Why ?? (t.Actual is { } a ? a.ToString("0.###", CultureInfo.InvariantCulture) : "")} |");
        }

        md.AppendLine();
        md.AppendLine("## Key figures");
        md.AppendLine();
        md.AppendLine("| figure | value |");
        md.AppendLine("|---|---|");
        foreach (var (label, value) in result.Figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(label)} | {Cell(value)} |");
        }

        md.AppendLine();
        md.AppendLine("## Steps (latency from the due time, ms)");
        md.AppendLine();
        md.AppendLine("| scenario | step | ok | failed | fail % | failures by code | p50 | p99 | max |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var s in result.Steps)
        {
            var codes = s.Failures.Count == 0 ? "" : string.Join(", ", s.Failures.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} {kv.Value:N0}"));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Scenario} | {s.Name} | {s.Ok:N0} | {s.Failed:N0} | {s.FailPercent:0.##} | {Cell(codes)} | {s.Latency.P50:0.#} | {s.Latency.P99:0.#} | {s.Latency.Max:0.#} |");
        }

        md.AppendLine();
        md.AppendLine("## Load simulations");
        md.AppendLine();
        foreach (var line in result.Scenarios)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {Cell(line)}");
        }

        var processes = result.Values.Keys.Where(k => k.StartsWith("cpu.", StringComparison.Ordinal) && k.EndsWith(".mean", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        if (processes.Length > 0)
        {
            md.AppendLine();
            md.AppendLine("## Processes");
            md.AppendLine();
            md.AppendLine("| process | CPU mean % | CPU max % | RSS max MB |");
            md.AppendLine("|---|---|---|---|");
            foreach (var key in processes)
            {
                var name = key[4..^5];
                md.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {result.Values[key]:0} | {result.Values.GetValueOrDefault($"cpu.{name}.max"):0} | {result.Values.GetValueOrDefault($"rss.{name}.max"):0} |");
            }
        }

        if (result.Notes.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Notes");
            md.AppendLine();
            foreach (var note in result.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {Cell(note)}");
            }
        }

        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
