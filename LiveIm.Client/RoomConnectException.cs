namespace LiveIm.Client;

/// <summary>
/// <see cref="RoomClient.ConnectAsync"/> failed: the gateway refused the connection (<see cref="StatusCode"/>: 401 for a
/// token that does not validate, 429 or 503 at a full or draining door, with <see cref="RetryAfter"/>), the handshake
/// failed, or the gateway could not be reached (no status; the cause is the inner exception).
/// </summary>
public sealed class RoomConnectException : Exception
{
    public RoomConnectException(string message, int? statusCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the refused negotiate or WebSocket upgrade, when there was one.</summary>
    public int? StatusCode { get; }

    /// <summary>The refusal's <c>Retry-After</c>, when it carried one: how long to wait before trying this gateway again.</summary>
    public TimeSpan? RetryAfter { get; }
}
