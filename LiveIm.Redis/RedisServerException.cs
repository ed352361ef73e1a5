namespace LiveIm.Redis;

/// <summary>
/// The server answered with an error reply (<c>-WRONGTYPE Operation against a key ...</c>).
/// The connection stays healthy: the error is one reply among others.
/// </summary>
public sealed class RedisServerException : RedisException
{
    public RedisServerException()
        : this("ERR")
    {
    }

    /// <summary>Creates the exception from the error text after the <c>-</c>.</summary>
    public RedisServerException(string message)
        : this(message, null)
    {
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Prefix = PrefixOf(message);
    }

    /// <summary>The error code: the first word of the message, e.g. <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>.</summary>
    public string Prefix { get; }

    // Spec: "The first word in the error is in upper case and describes the error code."
    private static string PrefixOf(string message)
    {
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? message : message[..space];
    }
}
