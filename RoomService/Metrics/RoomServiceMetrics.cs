using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using LiveIm.Core.Events;

namespace LiveIm.RoomService.Metrics;

/// <summary>
/// RoomService's own instruments, on the <c>LiveIm.RoomService</c> meter: requests by subject and outcome, their
/// handling time, events published per lane, shared-limit refusals by kind, presence broadcasts. Counters are plain
/// fields (or one boxed long per subject and outcome) read by observable instruments, like the gateway's. Names are
/// in docs/operations.md, "Metrics".
/// </summary>
public sealed class RoomServiceMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "LiveIm.RoomService";

    /// <summary>The <c>outcome</c> of a request answered with a result.</summary>
    public const string Ok = "ok";

    /// <summary>The <c>kind</c> tags of <c>rate_limited</c>: which shared limit refused (docs/flow-control.md).</summary>
    public static readonly string[] RateLimitKinds = ["user_chat", "user_gift", "slow_mode", "room_gift", "other"];

    /// <summary>
    /// Handling-time buckets (seconds): a request is one to three Redis round trips and a publish, 0.2-2 ms on a LAN;
    /// up to 2 s, the gateway's request timeout.
    /// </summary>
    public static readonly double[] RequestBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

    private static readonly string[] Lanes = [Lane.Chat, Lane.Like, Lane.Gift, Lane.System];

    private readonly Meter _meter = new(MeterName);
    private readonly ConcurrentDictionary<(string Subject, string Outcome), StrongBox<long>> _requests = new();
    private readonly long[] _published = new long[Lanes.Length];
    private readonly long[] _rateLimited = new long[RateLimitKinds.Length];
    private readonly Histogram<double> _duration;
    private long _onlineBroadcasts;
    private long _presenceRooms;

    public RoomServiceMetrics()
    {
        _meter.CreateObservableCounter("liveim.roomservice.requests", Requests, description: "Gateway requests handled, by subject and outcome (ok or the error code)");
        _meter.CreateObservableCounter("liveim.roomservice.events_published", () => Tagged(_published, Lanes, "lane"), description: "Room events published to the bus (once each), per lane");
        _meter.CreateObservableCounter("liveim.roomservice.rate_limited", () => Tagged(_rateLimited, RateLimitKinds, "kind"), description: "Sends refused by a shared limit, by kind (user_chat, user_gift, slow_mode, room_gift)");
        _meter.CreateObservableCounter("liveim.roomservice.online_broadcasts", () => Interlocked.Read(ref _onlineBroadcasts), description: "Online events published because a room's total changed");
        _meter.CreateObservableGauge("liveim.roomservice.presence_rooms", () => Interlocked.Read(ref _presenceRooms), description: "Rooms with live presence reports in the last broadcast pass");
        _duration = _meter.CreateHistogram(
            "liveim.roomservice.request_duration", "s", "Seconds RoomService spent on a request (receive to reply), by subject", null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = RequestBuckets });
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    /// <summary>One request handled: its outcome (<see cref="Ok"/> or an error code) and how long it took.</summary>
    public void Request(string subject, string outcome, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((subject, outcome), static _ => new StrongBox<long>()).Value);
        _duration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("subject", subject));
    }

    /// <summary>
    /// A request refused with <c>rate_limited</c>: which limit, told by the refusal's message (documented in
    /// docs/protocol.md, so it is stable), which keeps the limit code free of metrics calls.
    /// </summary>
    public void RateLimited(string message)
    {
        var kind = message.StartsWith("slow mode", StringComparison.Ordinal) ? 2
            : message.StartsWith("the room's gift rate", StringComparison.Ordinal) ? 3
            : message.StartsWith("too many chat sends", StringComparison.Ordinal) ? 0
            : message.StartsWith("too many gift sends", StringComparison.Ordinal) ? 1
            : 4;
        Interlocked.Increment(ref _rateLimited[kind]);
    }

    /// <summary>An event published (its lane read from the event's JSON).</summary>
    public void Published(ReadOnlySpan<byte> eventJson)
    {
        if (RoomEventJson.TryReadEnvelope(eventJson, out var e))
        {
            Interlocked.Increment(ref _published[Array.IndexOf(Lanes, e.Lane) is var i and >= 0 ? i : 3]);
        }
    }

    /// <summary>A broadcast pass: how many rooms it looked at and how many online events it published.</summary>
    public void PresencePass(int rooms, int broadcasts)
    {
        Interlocked.Exchange(ref _presenceRooms, rooms);
        Interlocked.Add(ref _onlineBroadcasts, broadcasts);
    }

    public void Dispose() => _meter.Dispose();

    private IEnumerable<Measurement<long>> Requests()
    {
        foreach (var ((subject, outcome), count) in _requests)
        {
            yield return new Measurement<long>(
                Interlocked.Read(ref count.Value),
                new KeyValuePair<string, object?>("subject", subject),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private static IEnumerable<Measurement<long>> Tagged(long[] values, string[] names, string tag)
    {
        for (var i = 0; i < values.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref values[i]), new KeyValuePair<string, object?>(tag, names[i]));
        }
    }

}
