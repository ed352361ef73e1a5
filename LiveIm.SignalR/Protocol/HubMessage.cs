namespace LiveIm.SignalR.Protocol;

/// <summary>
/// One hub message from the server, as positions into its record rather than copies: the receive loop acts on it
/// before the record bytes are reused, so only what outlives the record (an error text) becomes a string.
/// </summary>
internal readonly struct HubMessage
{
    /// <summary>The <c>type</c> field; 0 when absent.</summary>
    public int Type { get; init; }

    /// <summary>Raw (possibly escaped) bytes of <c>invocationId</c> within the record; empty length when absent.</summary>
    public Range InvocationId { get; init; }

    /// <summary>True when the message has an <c>invocationId</c>.</summary>
    public bool HasInvocationId { get; init; }

    /// <summary><c>invocationId</c> as the number this client assigned; -1 when absent or not a plain integer.</summary>
    public long InvocationNumber { get; init; }

    /// <summary>Raw bytes of <c>target</c>.</summary>
    public Range Target { get; init; }

    /// <summary><c>target</c> decoded, only when it contained JSON escapes (raw bytes cannot be compared then).</summary>
    public string? EscapedTarget { get; init; }

    /// <summary>The whole <c>arguments</c> array token, brackets included.</summary>
    public Range Arguments { get; init; }

    /// <summary>True when the message has <c>arguments</c>.</summary>
    public bool HasArguments { get; init; }

    /// <summary>The <c>result</c> token.</summary>
    public Range Result { get; init; }

    /// <summary>True when a <c>Completion</c> carries a <c>result</c> ("The result will be absent for void methods").</summary>
    public bool HasResult { get; init; }

    /// <summary>The <c>error</c> string of a <c>Completion</c> or <c>Close</c>.</summary>
    public string? Error { get; init; }

    /// <summary>The <c>allowReconnect</c> flag of a <c>Close</c>.</summary>
    public bool? AllowReconnect { get; init; }
}
