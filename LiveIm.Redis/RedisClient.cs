using System.Diagnostics;
using System.Net;
using LiveIm.Redis.Internal;
using LiveIm.Redis.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveIm.Redis;

/// <summary>
/// A RESP2 client over one socket, shared by all callers: commands are queued, written in batches
/// by one writer loop (pipelining), and replies are matched to callers in order. Commands fail at
/// once while there is no connection; the connection itself heals in the background
/// (<c>RedisClient.Connection.cs</c>).
/// </summary>
public sealed partial class RedisClient : IRedisClient
{
    private static readonly RedisArg[] NoArgs = [];

    private readonly RedisOptions _options;
    private readonly EndPoint _endPoint;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposeCts = new();

    // Null whenever commands cannot be sent; swapped with Interlocked so Dispose and a reconnect
    // that finishes at the same moment cannot both miss each other (see TryPublish).
    private RedisConnection? _connection;
    private int _disposed;

    /// <summary>Creates a client; nothing happens on the network until <see cref="ConnectAsync"/>.</summary>
    public RedisClient(RedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidatePositive(options.ConnectTimeout, nameof(options.ConnectTimeout));
        ValidatePositive(options.CommandTimeout, nameof(options.CommandTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Database, nameof(options.Database));
        _options = options;
        _endPoint = EndPointParser.Parse(options.EndPoint);
        _logger = options.LoggerFactory?.CreateLogger<RedisClient>() ?? NullLogger<RedisClient>.Instance;
    }

    private bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <inheritdoc />
    public Task<RedisValue> ExecuteAsync(string command, params RedisArg[] args) =>
        ExecuteAsync(command, args, CancellationToken.None);

    /// <inheritdoc />
    public Task<RedisValue> ExecuteAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ArgumentNullException.ThrowIfNull(args);
        if (RespCommandNames.ConnectionChanging.Contains(command))
        {
            throw new NotSupportedException(
                $"{command} would make the shared connection stop answering in order; it needs a dedicated connection.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<RedisValue>(cancellationToken);
        }

        // Fail fast: a command is never parked waiting for a reconnect. Callers treat the exception
        // as "unavailable" and decide themselves whether to retry.
        var connection = Volatile.Read(ref _connection);
        if (connection is null)
        {
            return Task.FromException<RedisValue>(NotConnected(command));
        }

        var pending = new PendingCommand(command, args);
        if (!connection.TryEnqueue(pending))
        {
            return Task.FromException<RedisValue>(NotConnected(command));
        }

        return WaitForReplyAsync(pending, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<RedisValue> EvalAsync(
        RedisScript script, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return await ExecuteAsync(RespCommandNames.EvalSha, EvalArgs(script.Sha1, keys, args), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Prefix == RespCommandNames.NoScriptPrefix)
        {
            // The server's script cache is empty (restart, SCRIPT FLUSH, failover). EVAL runs the
            // script and caches it, so the next EVALSHA on this server succeeds again.
            return await ExecuteAsync(RespCommandNames.Eval, EvalArgs(script.Source, keys, args), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await ExecuteAsync(RespCommandNames.Ping, NoArgs, cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Commands sent and not yet answered (including ones whose callers timed out); 0 when disconnected.</summary>
    public int PendingCount => Volatile.Read(ref _connection)?.PendingCount ?? 0;

    /// <summary>Flushes (socket writes) on the current connection; far fewer than commands under load is pipelining at work.</summary>
    internal long FlushCount => Volatile.Read(ref _connection)?.FlushCount ?? 0;

    private static RedisArg[] EvalArgs(string scriptOrSha, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args)
    {
        // EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
        var all = new RedisArg[2 + keys.Count + args.Count];
        all[0] = scriptOrSha;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            all[2 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            all[2 + keys.Count + i] = args[i];
        }

        return all;
    }

    private static void ValidatePositive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be positive or Timeout.InfiniteTimeSpan.");
        }
    }

    private async Task<RedisValue> WaitForReplyAsync(PendingCommand pending, CancellationToken cancellationToken)
    {
        try
        {
            return await pending.Task.WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && !pending.Task.IsCompleted)
        {
            // The command keeps its slot in the pending queue: its reply will still arrive (RESP is
            // in order) and is consumed there, not handed to the command behind it. Nobody awaits
            // the task any more, so a later failure is observed here rather than reported as unobserved.
            pending.ObserveFailure();
            if (ex is OperationCanceledException)
            {
                throw;
            }

            Log.CommandTimedOut(_logger, pending.Command, _options.EndPoint, (long)_options.CommandTimeout.TotalMilliseconds);
            throw new RedisTimeoutException(
                $"{pending.Command} got no reply from {_options.EndPoint} within {_options.CommandTimeout.TotalMilliseconds:0} ms.", ex);
        }
    }

    private Exception NotConnected(string command) => IsDisposed
        ? new ObjectDisposedException(nameof(RedisClient))
        : new RedisConnectionException($"Not connected to Redis at {_options.EndPoint} ({State}); {command} was not sent.");
}
