namespace LiveIm.Client;

/// <summary>
/// A gateway's <c>reconnect</c> event (docs/protocol.md): it is leaving service; connect elsewhere after
/// <see cref="DelayMs"/> and resume with lastSeq.
/// </summary>
/// <param name="Reason">Why, e.g. <c>draining</c>.</param>
/// <param name="DelayMs">How long to wait first (the gateway spreads its clients' delays so they do not stampede).</param>
public sealed record ReconnectRequest(string Reason, long DelayMs);
