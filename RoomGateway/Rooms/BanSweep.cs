using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Closes the connections of users banned from a room, after the tick that carried the ban was offered: the room
/// (the banned user included, if it reads fast enough) has the ban event first. A streamer or moderator of this room
/// is never closed: their role comes from a signed token, and RoomService ignores a ban of them too. Walks the room
/// once per ban tick, which is rare; the receive path only compares an event type.
/// </summary>
internal static class BanSweep
{
    // Collects the members a ban closes (under each shard's lock; they are closed after the walk).
    private static readonly MemberShards.Visitor<State> Visitor = static (RoomMember member, ref State state) =>
    {
        if (!member.Identity.IsAnonymous && state.UserIds.Contains(member.Identity.UserId)
            && member.Identity.RoleIn(state.RoomId) == Roles.Viewer)
        {
            state.Found.Add(member);
        }
    };

    /// <summary>Closes the members of <paramref name="roomId"/> whose user is in <paramref name="userIds"/> (viewers only).</summary>
    public static void Close(string roomId, MemberShards members, List<string> userIds, FanoutMetrics metrics)
    {
        var state = new State(userIds, roomId, new List<RoomMember>());
        for (var shard = 0; shard < members.ShardCount; shard++)
        {
            members.ForEachInShard(shard, ref state, Visitor);
        }

        foreach (var member in state.Found)
        {
            metrics.BanClosed();
            _ = member.CloseAsync($"{ErrorCodes.Banned}: you are banned from room {roomId}", allowReconnect: false);
        }
    }

    private readonly record struct State(List<string> UserIds, string RoomId, List<RoomMember> Found);
}
