namespace LiveIm.Nats.Internal;

/// <summary>
/// One parsed server operation. For <see cref="ServerOpKind.Msg"/> (MSG and HMSG) the payload is a fresh
/// array the receiver owns; for INFO and -ERR, <see cref="Text"/> holds the JSON or the error text.
/// </summary>
internal readonly record struct ServerOp(
    ServerOpKind Kind,
    string? Subject = null,
    long Sid = 0,
    string? ReplyTo = null,
    ReadOnlyMemory<byte> Payload = default,
    NatsHeaders? Headers = null,
    string? Text = null)
{
    public static readonly ServerOp PingOp = new(ServerOpKind.Ping);
    public static readonly ServerOp PongOp = new(ServerOpKind.Pong);
    public static readonly ServerOp OkOp = new(ServerOpKind.Ok);
}
