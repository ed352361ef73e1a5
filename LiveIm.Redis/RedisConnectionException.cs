namespace LiveIm.Redis;

/// <summary>
/// The command could not be answered because there is no healthy connection: the client is not
/// connected (commands fail at once, they are never queued for later), the socket died while the
/// command was in flight, or connecting failed. Callers typically map it to "unavailable".
/// </summary>
public sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
