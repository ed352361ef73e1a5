namespace LiveIm.Nats;

/// <summary>One transition of <see cref="INatsConnection.State"/>.</summary>
public sealed class NatsConnectionStateChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public NatsConnectionStateChangedEventArgs(
        NatsConnectionState oldState, NatsConnectionState newState, Exception? error = null, string? serverUrl = null)
    {
        OldState = oldState;
        NewState = newState;
        Error = error;
        ServerUrl = serverUrl;
    }

    /// <summary>State before the transition.</summary>
    public NatsConnectionState OldState { get; }

    /// <summary>State after the transition.</summary>
    public NatsConnectionState NewState { get; }

    /// <summary>Why the connection was lost (for transitions to <see cref="NatsConnectionState.Reconnecting"/>), else null.</summary>
    public Exception? Error { get; }

    /// <summary>The server concerned: the one connected to, or the one lost (credentials removed).</summary>
    public string? ServerUrl { get; }
}
