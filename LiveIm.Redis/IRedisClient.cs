namespace LiveIm.Redis;

/// <summary>
/// A pipelining Redis client: one connection shared by any number of concurrent callers, replies
/// matched to callers in order. Typed commands are extension methods in <see cref="RedisCommands"/>.
/// </summary>
public interface IRedisClient : IAsyncDisposable
{
    /// <summary>The current connection state.</summary>
    RedisConnectionState State { get; }

    /// <summary>Raised after every state change, on the thread that made it; handlers must not block.</summary>
    event EventHandler<RedisConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>
    /// Makes the first connection. Throws <see cref="RedisConnectionException"/> if the server cannot be
    /// reached within <see cref="RedisOptions.ConnectTimeout"/> or rejects the handshake (bad password).
    /// After it succeeds, lost connections are re-made automatically until the client is disposed.
    /// </summary>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>Sends any command; see <see cref="ExecuteAsync(string, IReadOnlyList{RedisArg}, CancellationToken)"/>.</summary>
    Task<RedisValue> ExecuteAsync(string command, params RedisArg[] args);

    /// <summary>
    /// Sends any command and returns its reply. An error reply throws <see cref="RedisServerException"/>
    /// and leaves the connection healthy; no connection throws <see cref="RedisConnectionException"/>
    /// at once; no reply within <see cref="RedisOptions.CommandTimeout"/> throws <see cref="RedisTimeoutException"/>.
    /// Cancelling only stops the wait: a command already sent still runs.
    /// </summary>
    Task<RedisValue> ExecuteAsync(string command, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="script"/> with EVALSHA; if the server answers NOSCRIPT (empty script cache,
    /// e.g. after a restart or SCRIPT FLUSH) it is sent once more with EVAL, which also caches it.
    /// </summary>
    Task<RedisValue> EvalAsync(RedisScript script, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args, CancellationToken cancellationToken = default);

    /// <summary>Sends PING and returns the round-trip time.</summary>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default);
}
