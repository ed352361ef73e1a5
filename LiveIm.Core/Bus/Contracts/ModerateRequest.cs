using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Moderate"/>: one moderation action.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="From">The moderator, with the role as it applies in the room (RoomService checks it again).</param>
/// <param name="Action">One of the moderation types of <see cref="RoomEventTypes"/>: <c>mute</c>, <c>unmute</c>,
/// <c>ban</c>, <c>unban</c>, <c>slow_mode</c>, <c>delete</c>.</param>
/// <param name="UserId">mute, unmute, ban, unban: the target.</param>
/// <param name="Seconds">mute: 1..<see cref="Rooms.ModerationLimits.MaxMuteSeconds"/>; slow_mode: 0..<see cref="Rooms.ModerationLimits.MaxSlowModeSeconds"/>.</param>
/// <param name="MessageId">delete: the event id to hide (1.. the room's latest id).</param>
public sealed record ModerateRequest(
    string RoomId, EventSender From, string Action, string? UserId = null, int? Seconds = null, long? MessageId = null);
