using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Reports;

/// <summary><c>report.csv</c>: the time series, one row per second, an empty cell where a series had no value.</summary>
public static class CsvReport
{
    public static string Render(RunResult result)
    {
        var data = ReportData.From(result);
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(',', data.Columns));
        foreach (var row in data.Rows)
        {
            csv.AppendLine(string.Join(',', row.Select(v => double.IsFinite(v) ? v.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty)));
        }

        return csv.ToString();
    }
}
