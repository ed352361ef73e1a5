using LiveIm.Core.Events;
using LiveIm.Core.Identity;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>Who is behind a connection, from its verified token; <see cref="Anonymous"/> when it had none.</summary>
/// <param name="UserId">The token's <c>sub</c>.</param>
/// <param name="Name">Display name.</param>
/// <param name="Role">The token's role.</param>
/// <param name="Room">For streamers and moderators: the room the role applies to.</param>
public sealed record MemberIdentity(string UserId, string Name, string Role, string? Room)
{
    /// <summary>No token: may join and receive, may not send.</summary>
    public static readonly MemberIdentity Anonymous = new(string.Empty, string.Empty, Roles.Viewer, null);

    /// <summary>True without a verified token.</summary>
    public bool IsAnonymous => UserId.Length == 0;

    /// <summary>The role in <paramref name="roomId"/>: a streamer or moderator token only counts in its own room.</summary>
    public string RoleIn(string roomId) => Roles.IsRoomBound(Role) && Room != roomId ? Roles.Viewer : Role;

    /// <summary>The <c>from</c> of events this member sends in <paramref name="roomId"/>.</summary>
    public EventSender SenderIn(string roomId) => new(UserId, Name, RoleIn(roomId));
}
