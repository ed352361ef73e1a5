namespace LiveIm.RoomGateway.Registry;

/// <summary>
/// How the gateway reports its load for assignment: <c>Gateway:PublicUrl</c>, <c>Gateway:Weight</c>,
/// <c>Registry:IntervalMs</c>, <c>Registry:TtlMs</c> (docs/operations.md, "Gateway assignment"): bound from both
/// sections, <see cref="GatewayIdentity.Section"/> and <see cref="Section"/>.
/// </summary>
public sealed class LoadReportOptions
{
    /// <summary>Where clients reach this gateway; null = derived from the first listening address at start.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>The section of the interval and the time-to-live.</summary>
    public const string Section = "Registry";

    /// <summary>Capacity weight: a gateway of weight 2 is handed twice the connections of one of weight 1.</summary>
    public double Weight { get; set; } = 1;

    /// <summary>
    /// How often the load is reported. 2 s: the same beat as the presence reports, one Redis script call per gateway
    /// per interval; the assignment endpoint adds what it handed out since a report (RoomService's ledger), so a join
    /// storm between two reports is still spread.
    /// </summary>
    public int IntervalMs { get; set; } = 2000;

    /// <summary>
    /// How long a report stays valid. Three intervals: one late report (GC pause, slow Redis) does not take a healthy
    /// gateway out of assignment, and a dead one leaves it within 6 s.
    /// </summary>
    public int TtlMs { get; set; } = 6000;

    /// <summary>Throws naming the setting when a value is out of range (the gateway does not start).</summary>
    public static void Check(LoadReportOptions options)
    {
        if (options.Weight is not (> 0 and <= 1000))
        {
            throw new InvalidOperationException("Gateway:Weight must be > 0 and <= 1000");
        }

        if (options.IntervalMs is < 100 or > 60_000)
        {
            throw new InvalidOperationException("Registry:IntervalMs must be between 100 and 60000");
        }

        if (options.TtlMs < 2 * options.IntervalMs)
        {
            throw new InvalidOperationException("Registry:TtlMs must be at least twice Registry:IntervalMs");
        }

        if (options.PublicUrl is { } u && (!u.IsAbsoluteUri || u.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException("Gateway:PublicUrl must be an absolute http or https URL");
        }
    }
}
