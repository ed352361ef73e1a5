namespace LiveIm.Client;

/// <summary>
/// A call failed; <see cref="Code"/> is the stable error code (docs/protocol.md), e.g. <c>invalid_room</c>, or
/// <see cref="Disconnected"/> when the client had no connection to make the call on.
/// </summary>
public sealed class RoomClientException : Exception
{
    /// <summary>
    /// The client's own code (never sent by a server): the connection was not open, or it ended before the answer
    /// came, so the call may or may not have been carried out. Retry a gift with the same clientMsgId once connected.
    /// </summary>
    public const string Disconnected = "disconnected";

    public RoomClientException(string code, string message, long? retryAfterMs, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        RetryAfterMs = retryAfterMs;
    }

    /// <summary>The error code before the first colon of the server's message.</summary>
    public string Code { get; }

    /// <summary>For <c>rate_limited</c>: the <c>retryAfterMs=n</c> the server sent.</summary>
    public long? RetryAfterMs { get; }

    /// <summary>Splits <c>"code: detail retryAfterMs=n"</c>.</summary>
    public static RoomClientException Parse(string serverMessage, Exception? inner = null)
    {
        ArgumentNullException.ThrowIfNull(serverMessage);
        var colon = serverMessage.IndexOf(':', StringComparison.Ordinal);
        var code = colon > 0 ? serverMessage[..colon] : "unknown";
        long? retry = null;
        var marker = serverMessage.LastIndexOf("retryAfterMs=", StringComparison.Ordinal);
        if (marker >= 0 && long.TryParse(serverMessage.AsSpan(marker + "retryAfterMs=".Length), out var ms))
        {
            retry = ms;
        }

        return new RoomClientException(code, serverMessage, retry, inner);
    }
}
