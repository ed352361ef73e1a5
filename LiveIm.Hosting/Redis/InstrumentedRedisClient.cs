using System.Diagnostics;
using LiveIm.Hosting.Metrics;
using LiveIm.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// <see cref="IRedisClient"/> that times every command and script call into <see cref="BackendMetrics"/>, around the
/// real client: the RESP library stays free of metrics, and an official client would be wrapped the same way.
/// Two timestamps and one histogram record per call.
/// </summary>
public sealed class InstrumentedRedisClient : IRedisClient
{
    private readonly IRedisClient _inner;
    private readonly BackendMetrics _metrics;

    public InstrumentedRedisClient(IRedisClient inner, BackendMetrics metrics)
    {
        _inner = inner;
        _metrics = metrics;
    }

    /// <inheritdoc />
    public RedisConnectionState State => _inner.State;

    /// <inheritdoc />
    public event EventHandler<RedisConnectionStateChangedEventArgs>? StateChanged
    {
        add => _inner.StateChanged += value;
        remove => _inner.StateChanged -= value;
    }

    /// <inheritdoc />
    public Task ConnectAsync(CancellationToken cancellationToken = default) => _inner.ConnectAsync(cancellationToken);

    /// <inheritdoc />
    public Task<RedisValue> ExecuteAsync(string command, params RedisArg[] args) =>
        TimeAsync(Stopwatch.GetTimestamp(), _inner.ExecuteAsync(command, args));

    /// <inheritdoc />
    public Task<RedisValue> ExecuteAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken) =>
        TimeAsync(Stopwatch.GetTimestamp(), _inner.ExecuteAsync(command, args, cancellationToken));

    /// <inheritdoc />
    public Task<RedisValue> EvalAsync(RedisScript script, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default) =>
        TimeAsync(Stopwatch.GetTimestamp(), _inner.EvalAsync(script, keys, args, cancellationToken));

    /// <inheritdoc />
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => _inner.PingAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    // An error reply (RedisServerException) is a round trip like any other; no reply at all is a failure.
    private async Task<RedisValue> TimeAsync(long start, Task<RedisValue> call)
    {
        try
        {
            var reply = await call;
            _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: true);
            return reply;
        }
        catch (RedisServerException)
        {
            _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: true);
            throw;
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: false);
            throw;
        }
    }
}
