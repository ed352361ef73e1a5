namespace LiveIm.SignalR;

/// <summary>
/// The connection closed. Passed to <see cref="HubConnection.Closed"/> when the server's <c>Close</c> message carried an
/// error (the message is that error verbatim, e.g. <c>slow_consumer</c>) or when the server went silent for
/// <see cref="HubConnectionOptions.ServerTimeout"/>; also the failure of every invocation pending at close time.
/// </summary>
public sealed class HubConnectionClosedException : Exception
{
    /// <summary>Creates an exception with a default message.</summary>
    public HubConnectionClosedException()
        : base("The connection was closed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    public HubConnectionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the transport error that closed the connection.</summary>
    public HubConnectionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
