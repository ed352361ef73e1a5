namespace LiveIm.Core.Events;

/// <summary>Who sent a room event: the <c>from</c> object on the wire.</summary>
/// <param name="UserId">The user id (the token's <c>sub</c>).</param>
/// <param name="Name">Display name (the token's <c>name</c>).</param>
/// <param name="Role"><c>viewer</c>, <c>streamer</c> or <c>moderator</c> in this room.</param>
public sealed record EventSender(string UserId, string Name, string Role);
