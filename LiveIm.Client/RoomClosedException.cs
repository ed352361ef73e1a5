namespace LiveIm.Client;

/// <summary>
/// The gateway closed the connection with a reason (its SignalR close message, docs/protocol.md "Errors"): passed to
/// <see cref="RoomClient.Closed"/>. <see cref="Exception.Message"/> is the server's text verbatim, <c>"code: detail"</c>.
/// </summary>
public sealed class RoomClosedException : Exception
{
    public RoomClosedException(string serverMessage, Exception? inner = null)
        : base(serverMessage, inner)
    {
        ArgumentNullException.ThrowIfNull(serverMessage);
        var colon = serverMessage.IndexOf(':', StringComparison.Ordinal);
        Code = colon > 0 ? serverMessage[..colon] : "unknown";
    }

    /// <summary>The code before the first colon: <c>slow_consumer</c>, <c>flood</c>, <c>banned</c>, <c>unavailable</c> (a drain's deadline), <c>invalid_frame</c>, ...</summary>
    public string Code { get; }
}
