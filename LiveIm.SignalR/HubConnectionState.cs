namespace LiveIm.SignalR;

/// <summary>Where a <see cref="HubConnection"/> is in its life. The order is one way: a closed connection is not restarted.</summary>
public enum HubConnectionState
{
    /// <summary>Not started yet, or <see cref="HubConnection.StartAsync"/> failed and may be called again.</summary>
    Disconnected,

    /// <summary>Negotiating, opening the WebSocket or waiting for the handshake response.</summary>
    Connecting,

    /// <summary>Handshake done; invocations may be sent.</summary>
    Connected,

    /// <summary>Stopped or lost after having been connected; <see cref="HubConnection.Closed"/> has been raised.</summary>
    Closed,
}
