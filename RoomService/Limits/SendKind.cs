namespace LiveIm.RoomService.Limits;

/// <summary>The sends a user's own rate limits (one budget each, over all rooms, connections and gateways).</summary>
public enum SendKind
{
    /// <summary>Chat lines.</summary>
    Chat,

    /// <summary>Gifts.</summary>
    Gift,
}
