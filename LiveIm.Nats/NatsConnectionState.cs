namespace LiveIm.Nats;

/// <summary>Where a <see cref="NatsConnection"/> is in its life.</summary>
public enum NatsConnectionState
{
    /// <summary>Built but not connected, or the first <see cref="INatsConnection.ConnectAsync"/> failed.</summary>
    Disconnected,

    /// <summary>The first <see cref="INatsConnection.ConnectAsync"/> is running.</summary>
    Connecting,

    /// <summary>Handshake done; publishes and requests are accepted.</summary>
    Connected,

    /// <summary>The socket was lost; the client retries with backoff until it is back or disposed.</summary>
    Reconnecting,

    /// <summary>Disposed. Terminal.</summary>
    Closed,
}
