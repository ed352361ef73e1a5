namespace LiveIm.Redis;

/// <summary>Where a <see cref="RedisClient"/> is in its life.</summary>
public enum RedisConnectionState
{
    /// <summary>Created, or the first <see cref="IRedisClient.ConnectAsync"/> failed. Commands fail at once.</summary>
    Disconnected,

    /// <summary>The first connection (socket plus AUTH/SELECT/CLIENT SETNAME) is being made. Commands fail at once.</summary>
    Connecting,

    /// <summary>Commands are sent.</summary>
    Connected,

    /// <summary>The connection was lost; the client retries with backoff until it is back or disposed. Commands fail at once.</summary>
    Reconnecting,

    /// <summary>Disposed. Commands throw <see cref="ObjectDisposedException"/>.</summary>
    Closed,
}
