namespace LiveIm.RoomGateway.Limits;

/// <summary>What a hub call is, for its per-connection rate (<see cref="LimitsOptions"/>).</summary>
public enum CallKind
{
    /// <summary><c>JoinRoom</c>.</summary>
    Join,

    /// <summary><c>SendChat</c>.</summary>
    Chat,

    /// <summary><c>SendGift</c>.</summary>
    Gift,

    /// <summary><c>SendLike</c>.</summary>
    Like,

    /// <summary><c>Mute</c>, <c>Unmute</c>, <c>Ban</c>, <c>Unban</c>, <c>SetSlowMode</c>, <c>DeleteMessage</c>.</summary>
    Moderation,

    /// <summary>Anything else (<c>LeaveRoom</c>, methods added later).</summary>
    Other,
}
