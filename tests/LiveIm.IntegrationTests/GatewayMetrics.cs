using System.Globalization;
using System.Text.RegularExpressions;

namespace LiveIm.IntegrationTests;

/// <summary>One scrape of a gateway's <c>/metrics</c>.</summary>
public sealed record GatewayMetrics(string Text)
{
    public static async Task<GatewayMetrics> ScrapeAsync(Uri gateway)
    {
        using var http = new HttpClient();
        return new GatewayMetrics(await http.GetStringAsync(new Uri(gateway, "/metrics")));
    }

    /// <summary>The value of <paramref name="name"/> with exactly <paramref name="labels"/> (e.g. <c>kind="chat"</c>), 0 when absent.</summary>
    public double Get(string name, string? labels = null)
    {
        var pattern = "^" + Regex.Escape(name) + (labels is null ? "" : Regex.Escape("{" + labels + "}")) + " (\\S+)$";
        var match = Regex.Match(Text, pattern, RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
