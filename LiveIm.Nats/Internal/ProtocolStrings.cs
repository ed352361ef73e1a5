namespace LiveIm.Nats.Internal;

/// <summary>
/// Every literal of the NATS client protocol, in one place
/// (https://docs.nats.io/reference/reference-protocols/nats-protocol). Operation names are case-insensitive
/// when read; we always write them upper case.
/// </summary>
internal static class ProtocolStrings
{
    // Client to server.
    public static ReadOnlySpan<byte> Connect => "CONNECT "u8;
    public static ReadOnlySpan<byte> Pub => "PUB "u8;
    public static ReadOnlySpan<byte> HPub => "HPUB "u8;
    public static ReadOnlySpan<byte> Sub => "SUB "u8;
    public static ReadOnlySpan<byte> Unsub => "UNSUB "u8;

    // Both directions.
    public static ReadOnlySpan<byte> PingLine => "PING\r\n"u8;
    public static ReadOnlySpan<byte> PongLine => "PONG\r\n"u8;

    // Server to client: operation names as they start a control line.
    public static ReadOnlySpan<byte> Info => "INFO"u8;
    public static ReadOnlySpan<byte> Msg => "MSG"u8;
    public static ReadOnlySpan<byte> HMsg => "HMSG"u8;
    public static ReadOnlySpan<byte> Ping => "PING"u8;
    public static ReadOnlySpan<byte> Pong => "PONG"u8;
    public static ReadOnlySpan<byte> Ok => "+OK"u8;
    public static ReadOnlySpan<byte> Err => "-ERR"u8;

    // Line terminator of every control line and payload.
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>Status code of the server's "no responders" reply on a request inbox.</summary>
    public const int NoRespondersStatus = 503;
}
