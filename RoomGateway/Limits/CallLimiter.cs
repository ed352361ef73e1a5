using System.Collections.Concurrent;
using LiveIm.Core.Errors;

namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// Decides whether a hub call may run: the connection's calls in flight, its rate for the call's kind, and for joins
/// the gateway-wide join admission. Holds the per-connection state (connection id → <see cref="ConnectionLimits"/>),
/// created on a connection's first call and removed when it disconnects.
/// </summary>
public sealed class CallLimiter
{
    /// <summary>
    /// The retry hint of a call refused because too many of its connection's calls are in flight. There is no exact
    /// answer (it depends on when one completes); a RoomService round trip takes a few ms, 2 s at worst.
    /// </summary>
    public const long PendingRetryAfterMs = 100;

    private readonly LimitsOptions _options;
    private readonly LimitsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TokenBucket[] _perConnection = new TokenBucket[CallKinds.Count];
    private readonly TokenBucket _joins;
    private readonly TokenBucket _flood;
    private readonly ConcurrentDictionary<string, ConnectionLimits> _connections = new(StringComparer.Ordinal);
    private long _joinState;
    private int _tracked; // _connections.Count takes every lock of the dictionary; this is one read

    public CallLimiter(LimitsOptions options, LimitsMetrics metrics, TimeProvider time)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        for (var kind = 0; kind < CallKinds.Count; kind++)
        {
            var (perSecond, burst) = options.RateOf((CallKind)kind);
            _perConnection[kind] = new TokenBucket(perSecond, burst, time.TimestampFrequency);
        }

        _joins = new TokenBucket(options.JoinsPerSecond, options.JoinsBurst, time.TimestampFrequency);
        _flood = new TokenBucket(options.FloodStrikes / options.FloodWindowSeconds, options.FloodStrikes, time.TimestampFrequency);
        metrics.ObserveLimiterStates(() => TrackedConnections);
    }

    /// <summary>Connections holding limiter state (for the leak check and the <c>limiter_states</c> gauge).</summary>
    public int TrackedConnections => Volatile.Read(ref _tracked);

    /// <summary>
    /// Admits a call of <paramref name="kind"/> by <paramref name="connectionId"/>, or returns the refusal (a
    /// <c>rate_limited</c> <see cref="RoomException"/>, not thrown) and whether the caller has now ignored
    /// <c>rate_limited</c> often enough to be closed for flooding. An admitted call must be ended with
    /// <see cref="EndCall"/>.
    /// </summary>
    internal Admission TryBeginCall(string connectionId, CallKind kind, CancellationToken connectionAborted, bool signedIn = true)
    {
        var limits = StateOf(connectionId, connectionAborted);
        var maxPending = _options.MaxPendingFor(signedIn);
        if (!limits.TryBeginCall(maxPending))
        {
            _metrics.RateLimited(LimitsMetrics.Pending);
            return Refuse(limits, $"more than {maxPending} calls in progress per connection", PendingRetryAfterMs);
        }

        var now = _time.GetTimestamp();
        var bucket = _perConnection[(int)kind];
        if (!bucket.TryTake(ref limits.Bucket(kind), now, out var retryAfterMs))
        {
            limits.EndCall();
            _metrics.RateLimited(kind);
            return Refuse(limits, $"{CallKinds.Name(kind)} limit of {bucket.PerSecond:0.###}/s per connection", retryAfterMs);
        }

        // After the connection's own limit, so that one connection cannot drain the gateway's admission.
        if (kind == CallKind.Join && !_joins.TryTake(ref _joinState, now, out retryAfterMs))
        {
            limits.EndCall();
            _metrics.RateLimited(LimitsMetrics.JoinAdmission);
            return Refuse(limits, $"gateway join admission limit of {_joins.PerSecond:0.###}/s", retryAfterMs);
        }

        return new Admission(limits, null, false);
    }

    /// <summary>Ends a call admitted by <see cref="TryBeginCall"/>.</summary>
    internal static void EndCall(in Admission admission) => admission.Limits.EndCall();

    /// <summary>Drops the connection's state (it disconnected).</summary>
    public void Forget(string connectionId)
    {
        if (_connections.TryRemove(connectionId, out _))
        {
            Interlocked.Decrement(ref _tracked);
        }
    }

    private ConnectionLimits StateOf(string connectionId, CancellationToken connectionAborted)
    {
        ConnectionLimits? limits;
        while (!_connections.TryGetValue(connectionId, out limits))
        {
            var created = new ConnectionLimits();
            if (_connections.TryAdd(connectionId, created))
            {
                Interlocked.Increment(ref _tracked);
                limits = created;
                break;
            }
        }

        // A call may start while its connection is going away; the disconnect then either ran Forget before this
        // add (and the connection is already marked aborted, so it is removed here) or runs it after (and removes
        // it). SignalR aborts the connection before it runs the filters' OnDisconnectedAsync, so one of the two
        // always sees the other: no state outlives its connection.
        if (connectionAborted.IsCancellationRequested
            && _connections.TryRemove(new KeyValuePair<string, ConnectionLimits>(connectionId, limits)))
        {
            Interlocked.Decrement(ref _tracked);
        }

        return limits;
    }

    private Admission Refuse(ConnectionLimits limits, string what, long retryAfterMs)
    {
        var flood = !_flood.TryTake(ref limits.Strikes, _time.GetTimestamp(), out _) && limits.MarkFlooded();
        return new Admission(limits, new RoomException(ErrorCodes.RateLimited, what, retryAfterMs), flood);
    }

    /// <summary>The outcome of <see cref="TryBeginCall"/>.</summary>
    internal readonly record struct Admission(ConnectionLimits Limits, RoomException? Refusal, bool Flood);
}
