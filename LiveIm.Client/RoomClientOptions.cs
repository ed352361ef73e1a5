using Microsoft.Extensions.Logging;

namespace LiveIm.Client;

/// <summary>Where and as whom a <see cref="RoomClient"/> connects.</summary>
public sealed class RoomClientOptions
{
    /// <summary>The gateway's base URL, e.g. <c>http://127.0.0.1:5101</c>; the hub is at <c>/hubs/room</c> below it.</summary>
    public required Uri GatewayUrl { get; init; }

    /// <summary>A LiveIm JWT; null connects as an anonymous viewer (may join and receive, not send).</summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Connect the WebSocket without the negotiate round trip (the load tester does, to save a request per connection).
    /// The gateway serves WebSockets only, so nothing else is lost.
    /// </summary>
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

    /// <summary>
    /// When the connection drops (the network, a gateway that died, or a close the server allows to reconnect from:
    /// <c>slow_consumer</c>, <c>flood</c>, a drain's deadline), connect again by itself, after a jittered pause, to the
    /// gateway <see cref="RoomServiceUrl"/> assigns (else one of <see cref="Gateways"/>, else the same one) and join the
    /// room again after <see cref="RoomClient.LastSeq"/>. Off by default (as in the official SignalR clients): then
    /// <see cref="RoomClient.Closed"/> is raised and resuming is the caller's.
    /// </summary>
    public bool ReconnectOnDrop { get; init; }

    /// <summary>
    /// The hub protocol: <see cref="RoomProtocol.Json"/> (default) or <see cref="RoomProtocol.MessagePack"/>. Events,
    /// results and errors are the same either way; MessagePack frames are smaller.
    /// </summary>
    public RoomProtocol Protocol { get; init; } = RoomProtocol.Json;

    /// <summary>Logging (optional).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
