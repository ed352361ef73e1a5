using Microsoft.Extensions.Logging;

namespace LiveIm.Redis;

/// <summary>Settings of one <see cref="RedisClient"/> (one server, one socket).</summary>
public sealed class RedisOptions
{
    /// <summary><c>host:port</c>; the host may be an IP address (IPv6 in brackets) or a DNS name.</summary>
    public string EndPoint { get; init; } = "127.0.0.1:6379";

    /// <summary>When set, <c>AUTH [user] password</c> is sent on every (re)connect.</summary>
    public string? Password { get; init; }

    /// <summary>ACL user for AUTH (Redis 6+); null authenticates the default user.</summary>
    public string? User { get; init; }

    /// <summary>Database index; <c>SELECT</c> is sent on every (re)connect when it is not 0.</summary>
    public int Database { get; init; }

    /// <summary>Budget for one connect attempt: TCP connect plus the AUTH/SELECT/CLIENT SETNAME handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A command not answered in time fails with <see cref="RedisTimeoutException"/>.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>First reconnect wait; it doubles per failed attempt (with jitter) up to <see cref="ReconnectWaitMax"/>.</summary>
    public TimeSpan ReconnectWaitMin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest wait between reconnect attempts.</summary>
    public TimeSpan ReconnectWaitMax { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Sent as <c>CLIENT SETNAME</c> (visible in <c>CLIENT LIST</c>); empty skips it. No spaces allowed.</summary>
    public string ClientName { get; init; } = "liveim";

    /// <summary>Source of the client's logger; null logs nothing.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
