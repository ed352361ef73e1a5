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

    /// <summary>Moderation (lane system, reliable): a user was muted; carries <c>moderation {userId, seconds, until}</c>.</summary>
    public const string Mute = "mute";

    /// <summary>Moderation (lane system, reliable): a mute was lifted; carries <c>moderation {userId}</c>.</summary>
    public const string Unmute = "unmute";

    /// <summary>
    /// Moderation (lane system, reliable): a user was banned from the room; carries <c>moderation {userId}</c>. Every
    /// gateway with members of the room closes that user's connections in it when it delivers this event.
    /// </summary>
    public const string Ban = "ban";

    /// <summary>Moderation (lane system, reliable): a ban was lifted; carries <c>moderation {userId}</c>.</summary>
    public const string Unban = "unban";

    /// <summary>Moderation (lane system, reliable): slow mode changed; carries <c>moderation {seconds}</c> (0 = off).</summary>
    public const string SlowMode = "slow_mode";

    /// <summary>Moderation (lane system, reliable): hide a message; carries <c>moderation {messageId}</c>.</summary>
    public const string Delete = "delete";

    /// <summary>True for the moderation types (the actions of <c>liveim.svc.moderate</c>).</summary>
    public static bool IsModeration(string? type) => type is Mute or Unmute or Ban or Unban or SlowMode or Delete;

    /// <summary>Any type this build does not know (newer producers); routed by lane, passed through untouched.</summary>
    public const string Other = "other";
}
