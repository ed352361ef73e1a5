using LiveIm.RoomGateway.Hubs;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>Which <see cref="FrameFormat"/> a connection's protocol writes.</summary>
public static class FrameFormats
{
    /// <summary>The format of <paramref name="protocol"/> (anything but MessagePack is JSON: the only two the gateway enables).</summary>
    public static FrameFormat Of(IHubProtocol? protocol) =>
        protocol?.Name == CodedMessagePackHubProtocol.ProtocolName ? FrameFormat.MessagePack : FrameFormat.Json;
}
