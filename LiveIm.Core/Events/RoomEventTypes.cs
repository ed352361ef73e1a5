namespace LiveIm.Core.Events;

/// <summary>The <c>type</c> values of room events.</summary>
public static class RoomEventTypes
{
    /// <summary>A chat line (lane chat); carries <c>text</c>.</summary>
    public const string Chat = "chat";

    /// <summary>A gift (lane gift); carries <c>gift</c>.</summary>
    public const string Gift = "gift";

    /// <summary>Likes (lane like); carries <c>likes</c>.</summary>
    public const string Likes = "likes";

    /// <summary>The room's online count (lane system); carries <c>online</c>.</summary>
    public const string Online = "online";

    /// <summary>Any type this build does not know (newer producers); routed by lane, passed through untouched.</summary>
    public const string Other = "other";
}
