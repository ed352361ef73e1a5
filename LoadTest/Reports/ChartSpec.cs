namespace LiveIm.LoadTest.Reports;

/// <summary>One time-series chart of the report: which series it draws.</summary>
/// <param name="Id">Element id (stable, for tests).</param>
/// <param name="Title">Its title.</param>
/// <param name="Unit">The y axis unit.</param>
/// <param name="Matches">Which series (columns) belong to it.</param>
public sealed record ChartSpec(string Id, string Title, string Unit, Func<string, bool> Matches)
{
    /// <summary>The report's charts; a chart without any series in the run is left out.</summary>
    public static readonly IReadOnlyList<ChartSpec> All =
    [
        new("connections", "Connections and online count", "viewers", c => c is "connections" or "online"),
        new("joins", "Joins per second", "/s", c => c is "join.ok" or "join.fail" or "rejoin.ok" or "rejoin.fail"),
        new("deliveries", "Deliveries per second", "/s", c => c is "deliveries" or "deliveries.hot" or "chat.delivered" or "gift.delivered"),
        new("sends", "Sends per second (acknowledged)", "/s", c => c is "gift.send.ok" or "chat.send.ok" or "chat.published" or "chat.sampled"),
        new("events_per_frame", "Events per frame", "events", c => c == "events_per_frame"),
        new("latency", "Delivery latency p50 / p99 (from due time)", "ms", c => c is "chat.p50" or "chat.p99" or "gift.p50" or "gift.p99"),
        new("errors", "Errors by code per second", "/s", c => c.Contains(".fail.", StringComparison.Ordinal)),
        new("reconnects", "Reconnects per second", "/s", c => c is "reconnects"),
        new("cpu", "CPU per process", "% of a core", c => c.StartsWith("cpu.", StringComparison.Ordinal)),
        new("rss", "Resident memory per process", "MB", c => c.StartsWith("rss.", StringComparison.Ordinal)),
    ];
}
