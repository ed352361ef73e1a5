namespace LiveIm.Core.Errors;

/// <summary>
/// A failure with a stable <see cref="Code"/> (one of <see cref="ErrorCodes"/>). It crosses the bus as
/// <c>{ "error": { "code", "message" } }</c> and reaches the client as a hub error <c>"code: message"</c>.
/// </summary>
public sealed class RoomException : Exception
{
    public RoomException(string code, string message, long? retryAfterMs = null)
        : base(message)
    {
        Code = code;
        RetryAfterMs = retryAfterMs;
    }

    /// <summary>The stable error code.</summary>
    public string Code { get; }

    /// <summary>For <c>rate_limited</c>: when the call may succeed again.</summary>
    public long? RetryAfterMs { get; }

    /// <summary>The text a client sees: <c>"code: message"</c>, plus <c>retryAfterMs=n</c> when set.</summary>
    public string ToClientMessage() =>
        RetryAfterMs is { } retry ? $"{Code}: {Message} retryAfterMs={retry}" : $"{Code}: {Message}";
}
