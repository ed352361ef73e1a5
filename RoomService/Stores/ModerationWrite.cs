namespace LiveIm.RoomService.Stores;

/// <summary>The state change of one moderation action, written atomically with its event by <see cref="IRoomStore.ModerateAsync"/>.</summary>
/// <param name="Action">A moderation type (<c>mute</c>, <c>unmute</c>, <c>ban</c>, <c>unban</c>, <c>slow_mode</c>, <c>delete</c>).</param>
/// <param name="UserId">The target (mute, unmute, ban, unban).</param>
/// <param name="Seconds">mute: its length; slow_mode: the interval (0 = off).</param>
/// <param name="UntilMs">mute: when it ends.</param>
/// <param name="MessageId">delete: the event id to hide.</param>
/// <param name="NowMs">The time of the action.</param>
public sealed record ModerationWrite(string Action, string? UserId, int Seconds, long UntilMs, long MessageId, long NowMs);
