namespace LiveIm.Core.Rooms;

/// <summary>Argument bounds of the moderation actions, shared by the gateway's cheap check and RoomService's own.</summary>
public static class ModerationLimits
{
    /// <summary>Longest mute: a week (longer is a ban).</summary>
    public const int MaxMuteSeconds = 7 * 24 * 3600;

    /// <summary>Longest slow-mode interval: an hour (beyond that the room is closed to chat, which is a mute or ban).</summary>
    public const int MaxSlowModeSeconds = 3600;
}
