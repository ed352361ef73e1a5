using Microsoft.Extensions.Logging;

namespace LiveIm.Client;

/// <summary>Where and as whom a <see cref="RoomClient"/> connects.</summary>
public sealed class RoomClientOptions
{
    /// <summary>The gateway's base URL, e.g. <c>http://127.0.0.1:5101</c>; the hub is at <c>/hubs/room</c> below it.</summary>
    public required Uri GatewayUrl { get; init; }

    /// <summary>A LiveIm JWT; null connects as an anonymous viewer (may join and receive, not send).</summary>
    public string? AccessToken { get; init; }

    /// <summary>Connect the WebSocket without the negotiate round trip (the load tester does, to save a request per connection).</summary>
    public bool SkipNegotiation { get; init; }

    /// <summary>
    /// RoomService's base URL, e.g. <c>http://127.0.0.1:5100</c>: where the client asks for a new gateway
    /// (<c>GET /api/gateways/assign?roomId=</c>) when its gateway drains. Takes precedence over <see cref="Gateways"/>.
    /// </summary>
    public Uri? RoomServiceUrl { get; init; }

    /// <summary>Gateways to move to when the current one drains and no <see cref="RoomServiceUrl"/> is set (one other than the current, at random).</summary>
    public IReadOnlyList<Uri>? Gateways { get; init; }

    /// <summary>Follow a draining gateway's <c>reconnect</c> event by moving to another gateway (default on).</summary>
    public bool FollowReconnect { get; init; } = true;

    /// <summary>Logging (optional).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
