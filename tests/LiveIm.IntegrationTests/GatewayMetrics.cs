namespace LiveIm.IntegrationTests;

/// <summary>One scrape of a gateway's <c>/metrics</c>, read by the strict parser.</summary>
public sealed record GatewayMetrics(string Text)
{
    private PrometheusText Parsed { get; } = PrometheusText.Parse(Text);

    public static async Task<GatewayMetrics> ScrapeAsync(Uri gateway)
    {
        using var http = new HttpClient();
        return new GatewayMetrics(await http.GetStringAsync(new Uri(gateway, "/metrics")));
    }

    /// <summary>
    /// The value of the series <paramref name="name"/> with exactly <paramref name="labels"/> (e.g. <c>kind="chat"</c>,
    /// in any order; none: the series without labels), 0 when absent.
    /// </summary>
    public double Get(string name, string? labels = null)
    {
        var wanted = (labels ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => kv[0].Trim(), kv => kv[1].Trim().Trim('"'));
        return Parsed.Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == name && s.Labels.Count == wanted.Count && wanted.All(w => s.Labels.TryGetValue(w.Key, out var v) && v == w.Value))
            .Sum(s => s.Value);
    }
}
