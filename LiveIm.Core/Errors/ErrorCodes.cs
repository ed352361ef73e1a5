namespace LiveIm.Core.Errors;

/// <summary>
/// Stable error codes. A client branches on the code: every hub error message is <c>"&lt;code&gt;: &lt;detail&gt;"</c>.
/// Codes are never renamed; new ones are only added (docs/protocol.md lists them all).
/// </summary>
public static class ErrorCodes
{
    /// <summary>The room id does not match <c>^[A-Za-z0-9_-]{1,64}$</c>.</summary>
    public const string InvalidRoom = "invalid_room";

    /// <summary>An argument is missing, of the wrong type, or out of range.</summary>
    public const string InvalidArgument = "invalid_argument";

    /// <summary>The call needs a joined room and the connection is in none.</summary>
    public const string NotJoined = "not_joined";

    /// <summary>No identity, or an identity that could not be verified.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The identity is known but its role may not do this.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>Too many calls; the message carries <c>retryAfterMs=&lt;n&gt;</c>.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>A backend (bus, store) is down or timed out; retry later.</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The hub method does not exist or was called with the wrong arguments.</summary>
    public const string UnknownMethod = "unknown_method";

    /// <summary>
    /// The connection fell too far behind the room (its backlog passed the gateway's limit) and was closed; the
    /// client reconnects and resumes with lastSeq. Sent as the error of the SignalR close message.
    /// </summary>
    public const string SlowConsumer = "slow_consumer";

    /// <summary>The sender is muted in this room (by its streamer or a moderator); the message says until when.</summary>
    public const string Muted = "muted";

    /// <summary>The user is banned from this room: joins and sends are refused, and a ban closes its connections.</summary>
    public const string Banned = "banned";

    /// <summary>
    /// (close message) The connection kept calling after <see cref="RateLimited"/> replies and was closed. Sent as the
    /// error of the SignalR close message; reconnecting is allowed, after the client has slowed down.
    /// </summary>
    public const string Flood = "flood";

    /// <summary>(HTTP only) No endpoint at that path (404), or not with that method (405).</summary>
    public const string NotFound = "not_found";

    /// <summary>
    /// (close message) The connection sent a frame the gateway cannot read: not JSON, not a SignalR message, or larger
    /// than the frame limit. Only that connection is closed. (A text frame with invalid UTF-8 is refused one layer
    /// lower: the WebSocket closes with status 1007.)
    /// </summary>
    public const string InvalidFrame = "invalid_frame";
}
