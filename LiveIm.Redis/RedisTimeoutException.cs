namespace LiveIm.Redis;

/// <summary>
/// No reply arrived within <see cref="RedisOptions.CommandTimeout"/>. The command may still run on the
/// server; its late reply is read and discarded so that later replies still reach the right callers.
/// </summary>
public sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
