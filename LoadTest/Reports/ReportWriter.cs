using System.Globalization;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary>Writes a run's reports to <c>&lt;reports&gt;/&lt;scenario&gt;-&lt;utc time&gt;/</c>: report.html, report.md, report.csv, report.json.</summary>
public static class ReportWriter
{
    /// <summary>Writes the four files; returns the folder.</summary>
    public static async Task<string> WriteAsync(RunResult result, string reportsDirectory, IEnumerable<string>? header = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var folder = Path.Combine(reportsDirectory, $"{result.Name}-{result.StartedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}");
        if (Directory.Exists(folder))
        {
            folder += "-" + Guid.NewGuid().ToString("N")[..4];
        }

        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), HtmlReport.Render(result)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), MarkdownReport.Render(result, header)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.csv"), CsvReport.Render(result)).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonReport.Render(result)).ConfigureAwait(false);
        return folder;
    }
}
