namespace LiveIm.Client;

/// <summary>The SignalR hub protocol a <see cref="RoomClient"/> speaks (docs/protocol.md, "Choosing the protocol").</summary>
public enum RoomProtocol
{
    /// <summary>JSON (text frames): the default, readable in any tool.</summary>
    Json,

    /// <summary>MessagePack (binary frames): the same data model with the same field names, fewer bytes on the wire.</summary>
    MessagePack,
}
