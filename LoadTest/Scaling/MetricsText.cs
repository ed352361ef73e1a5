using System.Globalization;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// Sums of the samples in a Prometheus text exposition (<c>GET /metrics</c>), by metric name over all label sets:
/// all the scaling proof needs from the processes' own counters. Comment lines and histogram buckets are skipped;
/// a line that is not <c>name[{labels}] value</c> is ignored rather than trusted.
/// </summary>
internal sealed class MetricsText
{
    private readonly Dictionary<string, double> _sums = new(StringComparer.Ordinal);

    private MetricsText()
    {
    }

    /// <summary>Parses <paramref name="text"/>.</summary>
    public static MetricsText Parse(string text)
    {
        var metrics = new MetricsText();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            var valueStart = line.LastIndexOf(' ');
            if (nameEnd <= 0 || valueStart < nameEnd)
            {
                continue;
            }

            var name = line[..nameEnd];
            if (name.EndsWith("_bucket", StringComparison.Ordinal) ||
                !double.TryParse(line[(valueStart + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            metrics._sums[name] = metrics._sums.GetValueOrDefault(name) + value;
        }

        return metrics;
    }

    /// <summary>The metric names present.</summary>
    public IReadOnlyCollection<string> Names => _sums.Keys;

    /// <summary>The sum of <paramref name="name"/>'s samples; 0 when absent.</summary>
    public double Sum(string name) => _sums.GetValueOrDefault(name);

    /// <summary>GETs and parses <c>/metrics</c> of <paramref name="baseUrl"/>.</summary>
    public static async Task<MetricsText> ScrapeAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken) =>
        Parse(await http.GetStringAsync(new Uri(baseUrl, "/metrics"), cancellationToken).ConfigureAwait(false));
}
