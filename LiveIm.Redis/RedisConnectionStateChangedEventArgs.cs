namespace LiveIm.Redis;

/// <summary>A change of <see cref="IRedisClient.State"/>.</summary>
public sealed class RedisConnectionStateChangedEventArgs : EventArgs
{
    public RedisConnectionStateChangedEventArgs(RedisConnectionState oldState, RedisConnectionState newState, Exception? error)
    {
        OldState = oldState;
        NewState = newState;
        Error = error;
    }

    /// <summary>The state before the change.</summary>
    public RedisConnectionState OldState { get; }

    /// <summary>The state after the change.</summary>
    public RedisConnectionState NewState { get; }

    /// <summary>Why the connection was lost or could not be made; null for ordinary transitions.</summary>
    public Exception? Error { get; }
}
