using System.Diagnostics;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Metrics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// The process's one <see cref="IConnectionMultiplexer"/> and the one place that decides how LiveIm calls Redis: every
/// store adapter (<see cref="RedisPresenceStore"/>, <see cref="RedisGatewayRegistry"/>, RoomService's room store)
/// goes through <see cref="RunAsync{T}"/> or <see cref="ScriptAsync"/>, which time the call into
/// <see cref="BackendMetrics"/>, remember whether Redis answers (readiness), and turn the library's failures into
/// <see cref="StoreUnavailableException"/>. Nothing outside the adapters sees a StackExchange.Redis type.
/// </summary>
/// <remarks>
/// Where LiveIm differs from the library's defaults (each set in <see cref="RedisSettings.ToOptions"/> and tested
/// against a real redis-server): no abort when Redis is down at start; a call while disconnected fails at once
/// (<see cref="BacklogPolicy.FailFast"/>) instead of waiting in a backlog; the timeout is
/// <see cref="RedisSettings.TimeoutMs"/> (1 s, not 5 s) checked every 250 ms. And
/// <see cref="RedisTimeoutException"/> is a <see cref="TimeoutException"/>, not a <see cref="RedisException"/>, so
/// it is caught on its own here.
/// </remarks>
public sealed partial class RedisConnection : IAsyncDisposable
{
    // Error replies that mean "not now" rather than "wrong call": a server loading its data, a cluster that lost a
    // slot's master or is moving it, a replica or a script that holds the server (docs/operations.md, "Redis").
    private static readonly string[] TransientErrors = ["LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "NOREPLICAS"];

    private readonly BackendMetrics _metrics;
    private readonly ILogger<RedisConnection> _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _connecting;
    private volatile ConnectionMultiplexer? _multiplexer;
    private volatile IDatabase? _database;

    // True from a call that timed out until the next call that got an answer: the server may be connected (a
    // stopped process keeps its socket) yet not answering, and readiness must say so.
    private volatile bool _notAnswering;

    public RedisConnection(RedisSettings settings, string clientName, BackendMetrics metrics, ILoggerFactory loggerFactory)
    {
        Settings = settings;
        Options = settings.ToOptions(clientName);
        _metrics = metrics;
        _logger = loggerFactory.CreateLogger<RedisConnection>();
        _connecting = ConnectLoopAsync(_closing.Token);
    }

    /// <summary>The settings it was made from.</summary>
    public RedisSettings Settings { get; }

    /// <summary>The client options in force (after LiveIm's choices).</summary>
    public ConfigurationOptions Options { get; }

    /// <summary>The multiplexer, once the first connect attempt returned (null before).</summary>
    public IConnectionMultiplexer? Multiplexer => _multiplexer;

    /// <summary>
    /// Waits until the client is connected (tools and tests that must not start before Redis answers; the services
    /// themselves never wait). Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitConnectedAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (_multiplexer is not { IsConnected: true })
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"Redis ({string.Join(",", Options.EndPoints)}) not connected within {timeout.TotalSeconds:0.#} s");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Null when Redis answers; otherwise why not (for <c>/readyz</c>).</summary>
    public string? NotReadyReason()
    {
        if (_multiplexer is not { } multiplexer)
        {
            return "redis connecting";
        }

        if (!multiplexer.IsConnected)
        {
            return "redis disconnected";
        }

        return _notAnswering ? $"redis not answering within {Settings.TimeoutMs} ms" : null;
    }

    /// <summary>
    /// Runs one call (one command, or several sent together in one flush) and returns its result. A Redis that is
    /// not connected, does not answer within the timeout or answers with a transient error throws
    /// <see cref="StoreUnavailableException"/>; any other error reply is a bug and throws the library's
    /// <see cref="RedisServerException"/>.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call)
    {
        var database = _database ?? throw new StoreUnavailableException("redis is not connected yet");
        var start = Stopwatch.GetTimestamp();
        try
        {
            var result = await call(database).ConfigureAwait(false);
            Answered(start);
            return result;
        }
        catch (TimeoutException ex)
        {
            // RedisTimeoutException lands here: it derives from TimeoutException, not RedisException.
            _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: false);
            if (!_notAnswering)
            {
                _notAnswering = true;
                LogNotAnswering(Settings.TimeoutMs, ex.Message);
            }

            throw new StoreUnavailableException($"redis did not answer within {Settings.TimeoutMs} ms", ex);
        }
        catch (RedisConnectionException ex)
        {
            _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: false);
            throw new StoreUnavailableException("redis is not connected", ex);
        }
        catch (RedisServerException ex) when (IsTransient(ex))
        {
            Answered(start);
            throw new StoreUnavailableException("redis refused the call for now: " + ex.Message, ex);
        }
        catch (RedisServerException)
        {
            Answered(start); // an error reply is a round trip like any other
            throw;
        }
    }

    /// <summary>
    /// Runs a script by its SHA1 (EVALSHA): the library loads it on each server the first time and again after a
    /// <c>NOSCRIPT</c> (a restarted or flushed server), so the source crosses the network once per server.
    /// Failures as for <see cref="RunAsync{T}"/>.
    /// </summary>
    public Task<RedisResult> ScriptAsync(RedisScript script, RedisKey[] keys, RedisValue[] args) =>
        RunAsync(database => database.ScriptEvaluateAsync(script.Source, keys, args));

    /// <summary>One PING round trip (the probe's); failures as for <see cref="RunAsync{T}"/>.</summary>
    public Task<TimeSpan> PingAsync() => RunAsync(database => database.PingAsync());

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _connecting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _closing.Dispose();
    }

    private static bool IsTransient(RedisServerException ex)
    {
        foreach (var prefix in TransientErrors)
        {
            if (ex.Message.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void Answered(long start)
    {
        _metrics.RedisCommand(Stopwatch.GetElapsedTime(start), ok: true);
        if (_notAnswering)
        {
            _notAnswering = false;
            LogAnsweringAgain();
        }
    }

    // With abortConnect=false the first attempt returns a multiplexer whether or not Redis answered, and the library
    // reconnects by itself from then on; only an attempt that throws (a name that does not resolve, say) is retried here.
    private async Task ConnectLoopAsync(CancellationToken closing)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; !closing.IsCancellationRequested; attempt++)
        {
            try
            {
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(Options).WaitAsync(closing).ConfigureAwait(false);
                multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception?.Message ?? string.Empty);
                multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(e.EndPoint?.ToString() ?? "?");
                _multiplexer = multiplexer;
                _database = multiplexer.GetDatabase();
                LogStarted(string.Join(",", Options.EndPoints), multiplexer.IsConnected);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogConnectRetry(attempt, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay, closing).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }
}
