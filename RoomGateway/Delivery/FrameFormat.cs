namespace LiveIm.RoomGateway.Delivery;

/// <summary>The wire format of a member's frames: its connection's hub protocol.</summary>
public enum FrameFormat
{
    /// <summary>The JSON hub protocol (text, records ended by 0x1E): the default, built for every frame.</summary>
    Json,

    /// <summary>The MessagePack hub protocol (binary, length-prefixed records): built for a frame only when a member needs it.</summary>
    MessagePack,
}
