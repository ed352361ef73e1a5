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

    /// <summary>Logging (optional).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
