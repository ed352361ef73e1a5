namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// The argument of the server → client <c>reconnect</c> invocation (docs/protocol.md): wait <paramref name="DelayMs"/>,
/// then connect to another gateway and join the room again with lastSeq.
/// </summary>
/// <param name="Reason">Why: <c>draining</c> (the gateway is leaving service).</param>
/// <param name="DelayMs">How long to wait before reconnecting; spread over the drain so that clients do not stampede.</param>
public sealed record ReconnectNotice(string Reason, long DelayMs)
{
    /// <summary>The hub method name the client handles.</summary>
    public const string Method = "reconnect";

    /// <summary>The reason of a drain.</summary>
    public const string Draining = "draining";
}
