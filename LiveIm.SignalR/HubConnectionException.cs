namespace LiveIm.SignalR;

/// <summary>
/// <see cref="HubConnection.StartAsync"/> failed: negotiate or the WebSocket upgrade was refused, the negotiate response
/// carried an <c>error</c>, the handshake was rejected or timed out, or the server could not be reached.
/// </summary>
public class HubConnectionException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public HubConnectionException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public HubConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public HubConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for an HTTP failure (negotiate or WebSocket upgrade).</summary>
    public HubConnectionException(string message, int? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the refused negotiate or upgrade request (401, 403, 404, 429, 503, ...), if there was one.</summary>
    public int? StatusCode { get; }
}
