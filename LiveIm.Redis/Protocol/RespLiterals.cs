namespace LiveIm.Redis.Protocol;

/// <summary>
/// Every byte sequence of the RESP2 wire format this client reads or writes, in one place.
/// Spec: https://redis.io/docs/latest/develop/reference/protocol-spec/ (RESP2 part).
/// </summary>
internal static class RespLiterals
{
    /// <summary>First byte of a simple string: <c>+&lt;data&gt;\r\n</c>.</summary>
    public const byte SimpleStringPrefix = (byte)'+';

    /// <summary>First byte of a simple error: <c>-&lt;message&gt;\r\n</c>.</summary>
    public const byte ErrorPrefix = (byte)'-';

    /// <summary>First byte of an integer: <c>:[&lt;+|-&gt;]&lt;value&gt;\r\n</c>.</summary>
    public const byte IntegerPrefix = (byte)':';

    /// <summary>First byte of a bulk string: <c>$&lt;length&gt;\r\n&lt;data&gt;\r\n</c>.</summary>
    public const byte BulkStringPrefix = (byte)'$';

    /// <summary>First byte of an array: <c>*&lt;number-of-elements&gt;\r\n&lt;element-1&gt;...&lt;element-n&gt;</c>.</summary>
    public const byte ArrayPrefix = (byte)'*';

    public const byte CarriageReturn = (byte)'\r';

    public const byte LineFeed = (byte)'\n';

    /// <summary>Every RESP line and every bulk payload ends with CRLF.</summary>
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>Redis spells infinite scores this way (ZADD, ZRANGEBYSCORE); .NET would write "∞".</summary>
    public static ReadOnlySpan<byte> PositiveInfinity => "+inf"u8;

    public static ReadOnlySpan<byte> NegativeInfinity => "-inf"u8;

    /// <summary>Accepted spellings when reading a score back (Redis writes "inf" and "-inf").</summary>
    public static ReadOnlySpan<byte> Infinity => "inf"u8;
}
