namespace LiveIm.Redis;

/// <summary>
/// The server sent bytes that are not RESP2 (or a reply nobody asked for). The connection cannot
/// know where the next reply starts, so it is dropped and reconnected; callers see it as the
/// <see cref="Exception.InnerException"/> of a <see cref="RedisConnectionException"/>.
/// </summary>
public sealed class RedisProtocolException : RedisException
{
    public RedisProtocolException()
    {
    }

    public RedisProtocolException(string message)
        : base(message)
    {
    }

    public RedisProtocolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
