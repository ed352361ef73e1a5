using System.Diagnostics.Metrics;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// The bus and Redis as this process sees them, on the <c>LiveIm.Backends</c> meter (one per process): messages
/// published and received, request and command round trips. Recorded by the adapters (<c>NatsMessageBus</c>,
/// <see cref="Redis.RedisConnection"/>) and the probes (<see cref="BackendProbe"/>, <see cref="Redis.RedisProbe"/>). Names are in docs/operations.md, "Metrics".
/// </summary>
public sealed class BackendMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "LiveIm.Backends";

    /// <summary>
    /// Round-trip buckets (seconds): 100 µs (loopback) to 2.5 s (past the 2 s request timeout); a LAN round trip is
    /// 0.2-1 ms, so most of the resolution sits below 10 ms.
    /// </summary>
    public static readonly double[] RoundTripBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private readonly Meter _meter = new(MeterName);
    private readonly Histogram<double> _busRequest;
    private readonly Histogram<double> _busPing;
    private readonly Histogram<double> _redisCommand;
    private readonly Histogram<double> _redisPing;
    private long _published;
    private long _received;
    private long _requestFailures;
    private long _redisFailures;

    public BackendMetrics()
    {
        _meter.CreateObservableCounter("liveim.bus.published", () => Interlocked.Read(ref _published), description: "Messages published to the bus (events, replies)");
        _meter.CreateObservableCounter("liveim.bus.received", () => Interlocked.Read(ref _received), description: "Messages received from the bus (all subscriptions)");
        _meter.CreateObservableCounter("liveim.bus.request_failures", () => Interlocked.Read(ref _requestFailures), description: "Bus requests that got no reply (timeout, no responders, disconnected)");
        _meter.CreateObservableCounter("liveim.redis.failures", () => Interlocked.Read(ref _redisFailures), description: "Redis calls that got no reply (timeout, disconnected)");
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = RoundTripBuckets };
        _busRequest = _meter.CreateHistogram("liveim.bus.request_duration", "s", "Seconds from a bus request to its reply, by subject", null, advice);
        _busPing = _meter.CreateHistogram("liveim.bus.ping_duration", "s", "Seconds of a NATS PING/PONG round trip (probed every few seconds)", null, advice);
        _redisCommand = _meter.CreateHistogram("liveim.redis.command_duration", "s", "Seconds from a Redis command or script call to its reply", null, advice);
        _redisPing = _meter.CreateHistogram("liveim.redis.ping_duration", "s", "Seconds of a Redis PING round trip (probed every second)", null, advice);
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    /// <summary>One message published.</summary>
    public void Published() => Interlocked.Increment(ref _published);

    /// <summary>One message received.</summary>
    public void Received() => Interlocked.Increment(ref _received);

    /// <summary>A request's round trip (<paramref name="ok"/> false: it failed after that long).</summary>
    public void Request(string subject, TimeSpan elapsed, bool ok)
    {
        if (!ok)
        {
            Interlocked.Increment(ref _requestFailures);
            return;
        }

        _busRequest.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("subject", subject));
    }

    /// <summary>A Redis command's round trip (<paramref name="ok"/> false: no reply).</summary>
    public void RedisCommand(TimeSpan elapsed, bool ok)
    {
        if (!ok)
        {
            Interlocked.Increment(ref _redisFailures);
            return;
        }

        _redisCommand.Record(elapsed.TotalSeconds);
    }

    /// <summary>A probe's PING round trips.</summary>
    public void Pings(TimeSpan? bus, TimeSpan? redis)
    {
        if (bus is { } b)
        {
            _busPing.Record(b.TotalSeconds);
        }

        if (redis is { } r)
        {
            _redisPing.Record(r.TotalSeconds);
        }
    }

    public void Dispose() => _meter.Dispose();
}
