using System.Diagnostics.Metrics;

namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// The limits' counters, on the gateway's meter (<see cref="Delivery.FanoutMetrics.Meter"/>), in the same style as
/// the fan-out's: plain fields updated with <see cref="Interlocked"/>, published as observable instruments, so a
/// refusal counted before anybody scraped <c>/metrics</c> is not lost. Names are in docs/operations.md.
/// </summary>
public sealed class LimitsMetrics
{
    /// <summary>The <c>kind</c> tag for a call refused because too many of its connection's calls were in flight.</summary>
    public const string Pending = "pending";

    /// <summary>The <c>kind</c> tag for a join refused by the gateway-wide join admission.</summary>
    public const string JoinAdmission = "join_admission";

    /// <summary>The <c>kind</c> tag for a connection refused because the gateway is full.</summary>
    public const string Connection = "connection";

    /// <summary>The <c>kind</c> tag for a connection refused because its IP address has too many.</summary>
    public const string Ip = "ip";

    /// <summary>The <c>reason</c> tag of <c>connections_refused</c>: the gateway is full.</summary>
    public const string GatewayFull = "gateway_full";

    /// <summary>The <c>reason</c> tag of <c>connections_refused</c>: too many from one IP.</summary>
    public const string PerIp = "per_ip";

    private static readonly string[] Kinds =
    [
        .. Enumerable.Range(0, CallKinds.Count).Select(k => CallKinds.Name((CallKind)k)),
        Pending, JoinAdmission, Connection, Ip,
    ];

    private static readonly string[] Reasons = [GatewayFull, PerIp];

    private readonly long[] _rateLimited = new long[Kinds.Length];
    private readonly long[] _refused = new long[Reasons.Length];
    private long _floodCloses;

    public LimitsMetrics(Meter meter)
    {
        meter.CreateObservableCounter("liveim.gateway.rate_limited", () => Tagged(_rateLimited, Kinds, "kind"),
            description: "Calls and connections refused with rate_limited, by kind (a call kind, pending, join_admission, connection, ip)");
        meter.CreateObservableCounter("liveim.gateway.connections_refused", () => Tagged(_refused, Reasons, "reason"),
            description: "Connections refused at the door, by reason (gateway_full, per_ip)");
        meter.CreateObservableCounter("liveim.gateway.flood_closes", () => Interlocked.Read(ref _floodCloses),
            description: "Connections closed with flood (they kept calling after rate_limited)");
        Meter = meter;
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter { get; }

    /// <summary>Publishes how many connections hold limiter state (memory; the leak check).</summary>
    public void ObserveLimiterStates(Func<long> connections) =>
        Meter.CreateObservableGauge("liveim.gateway.limiter_states", connections, description: "Connections holding per-connection limiter state");

    /// <summary>Publishes the door's counts: connections counted against Limits:MaxConnections, and IP addresses
    /// (IPv6: /64s) with open connections.</summary>
    public void ObserveAdmission(Func<long> connections, Func<long> addresses)
    {
        Meter.CreateObservableGauge("liveim.gateway.admitted_connections", connections, description: "Hub WebSocket requests counted against Limits:MaxConnections");
        Meter.CreateObservableGauge("liveim.gateway.connection_ips", addresses, description: "IP addresses (IPv6: /64s) with open hub connections");
    }

    internal void RateLimited(CallKind kind) => Interlocked.Increment(ref _rateLimited[(int)kind]);

    internal void RateLimited(string kind) => Interlocked.Increment(ref _rateLimited[Array.IndexOf(Kinds, kind)]);

    internal void Refused(string reason) => Interlocked.Increment(ref _refused[Array.IndexOf(Reasons, reason)]);

    internal void FloodClosed() => Interlocked.Increment(ref _floodCloses);

    private static IEnumerable<Measurement<long>> Tagged(long[] values, string[] names, string tag)
    {
        for (var i = 0; i < values.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref values[i]), new KeyValuePair<string, object?>(tag, names[i]));
        }
    }
}
