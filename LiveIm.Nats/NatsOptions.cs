using Microsoft.Extensions.Logging;

namespace LiveIm.Nats;

/// <summary>Settings of a <see cref="NatsConnection"/>. Immutable once the connection is built.</summary>
public sealed class NatsOptions
{
    /// <summary>
    /// Server URLs (<c>nats://[user:pass@]host[:port]</c>, or <c>host[:port]</c>). Connect and reconnect rotate
    /// through them, plus the <c>connect_urls</c> a clustered server announces in INFO.
    /// </summary>
    public IReadOnlyList<string> Servers { get; init; } = ["nats://127.0.0.1:4222"];

    /// <summary>Client name sent in CONNECT (shows in the server's <c>/connz</c>).</summary>
    public string Name { get; init; } = "liveim";

    /// <summary>CONNECT <c>echo:false</c>: the server does not deliver this connection's own publishes back to it.</summary>
    public bool NoEcho { get; init; }

    /// <summary>User for user/password auth. A <c>user:pass@</c> in a server URL wins over this.</summary>
    public string? User { get; init; }

    /// <summary>Password for user/password auth.</summary>
    public string? Password { get; init; }

    /// <summary>Token for token auth (CONNECT <c>auth_token</c>).</summary>
    public string? Token { get; init; }

    /// <summary>Per server: TCP connect plus the INFO/CONNECT/PING/PONG handshake must finish within this.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the client PINGs the server to detect a dead (stale) connection.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unanswered PINGs after which the connection is treated as stale and reconnected.</summary>
    public int MaxPingsOut { get; init; } = 2;

    /// <summary>Smallest wait between reconnect attempts (first step of the jittered exponential backoff).</summary>
    public TimeSpan ReconnectWaitMin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectWaitMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Default timeout of <see cref="INatsConnection.RequestAsync"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Messages a subscription may hold before its handler takes them. When full, new messages are dropped
    /// and counted in <see cref="INatsSubscription.Dropped"/> (slow consumer); the socket reader never blocks.
    /// </summary>
    public int SubscriptionChannelCapacity { get; init; } = 65536;

    /// <summary>Where the connection logs; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
