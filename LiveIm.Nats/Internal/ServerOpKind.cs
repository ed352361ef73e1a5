namespace LiveIm.Nats.Internal;

/// <summary>The server operations the parser recognizes.</summary>
internal enum ServerOpKind
{
    Info,
    Msg,
    Ping,
    Pong,
    Ok,
    Err,
}
