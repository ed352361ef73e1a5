using System.Text.Json.Serialization;

namespace LiveIm.Core.Events;

/// <summary>
/// The <c>moderation</c> object of a moderation event (<see cref="RoomEventTypes.IsModeration"/>): what the action
/// was about. Only the fields of the action are present.
/// </summary>
/// <param name="UserId">mute, unmute, ban, unban: the target user id.</param>
/// <param name="Seconds">mute: how long; slow_mode: seconds between two lines of a user (0 = off).</param>
/// <param name="Until">mute: when it ends, ms since the Unix epoch.</param>
/// <param name="MessageId">delete: the id of the event clients should hide.</param>
public sealed record ModerationInfo(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Seconds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Until = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MessageId = null);
