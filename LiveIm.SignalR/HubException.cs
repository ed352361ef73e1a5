using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

/// <summary>
/// An invocation failed on the server: the server's <c>Completion</c> carried an <c>error</c>.
/// <see cref="Exception.Message"/> is the server's text verbatim.
/// </summary>
/// <remarks>
/// ASP.NET Core does not send a hub's <c>HubException</c> text bare: it arrives as
/// <c>An unexpected error occurred invoking 'JoinRoom' on the server. HubException: invalid_room: ...</c>.
/// <see cref="ServerMessage"/> is the part the hub wrote (LiveIm's stable code first, e.g. <c>invalid_room: ...</c>).
/// </remarks>
public class HubException : Exception
{
    /// <summary>Creates an exception with no message.</summary>
    public HubException()
    {
    }

    /// <summary>Creates an exception carrying the server's error text.</summary>
    public HubException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception carrying the server's error text and a cause.</summary>
    public HubException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// The message the hub method threw: <see cref="Exception.Message"/> after ASP.NET Core's
    /// <c>"An unexpected error occurred invoking '...' on the server. HubException: "</c> prefix, or the whole
    /// message when there is no such prefix (a custom server, or a non-HubException with detailed errors off).
    /// </summary>
    public string ServerMessage
    {
        get
        {
            var message = Message;
            if (!message.StartsWith(HubProtocolConstants.ServerErrorPrefix, StringComparison.Ordinal))
            {
                return message;
            }

            var marker = message.IndexOf(HubProtocolConstants.ServerHubExceptionMarker, StringComparison.Ordinal);
            return marker < 0 ? message : message[(marker + HubProtocolConstants.ServerHubExceptionMarker.Length)..];
        }
    }
}
