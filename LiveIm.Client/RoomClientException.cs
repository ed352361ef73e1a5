namespace LiveIm.Client;

/// <summary>A hub call failed; <see cref="Code"/> is the stable error code (docs/protocol.md), e.g. <c>invalid_room</c>.</summary>
public sealed class RoomClientException : Exception
{
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
