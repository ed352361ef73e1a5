using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.RoomGateway.Backend;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// The client contract at <c>/hubs/room</c> (docs/protocol.md). Every failure is a <see cref="HubException"/> whose
/// message starts with a stable code (<see cref="ErrorCodes"/>); <see cref="RoomErrorFilter"/> does the mapping.
/// Cheap checks happen here so that bad input never costs a bus round trip; RoomService checks again.
/// </summary>
public sealed class RoomHub : Hub
{
    private readonly RoomRegistry _registry;
    private readonly RoomMembership _membership;
    private readonly RoomServiceClient _roomService;

    public RoomHub(RoomRegistry registry, RoomMembership membership, RoomServiceClient roomService)
    {
        _registry = registry;
        _membership = membership;
        _roomService = roomService;
    }

    /// <summary>Joins a room (leaving the current one); with <paramref name="lastSeq"/>, resumes the reliable lane after it.</summary>
    public Task<RoomMembership.JoinResult> JoinRoom(string roomId, long? lastSeq)
    {
        RoomIds.EnsureValid(roomId);

        if (lastSeq is < 0)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "lastSeq must be >= 0 or null");
        }

        return _membership.JoinAsync(Member(), roomId, lastSeq, Context.ConnectionAborted);
    }

    /// <summary>Leaves the current room (no error when in none).</summary>
    public Task LeaveRoom() => _membership.LeaveAsync(Member());

    /// <summary>Sends a chat line to the joined room.</summary>
    public Task<ChatReply> SendChat(string text)
    {
        var (member, roomId) = Sender();
        if (!ChatText.TryNormalize(text, out var normalized, out var error))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, error);
        }

        return _roomService.SendChatAsync(new ChatRequest(roomId, member.Identity.SenderIn(roomId), normalized), Context.ConnectionAborted);
    }

    /// <summary>Sends a gift; retrying with the same <paramref name="clientMsgId"/> is safe.</summary>
    public Task<GiftReply> SendGift(string giftId, int count, string clientMsgId)
    {
        var (member, roomId) = Sender();
        if (!RoomIds.IsSafeToken(giftId, 64))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "giftId must match ^[A-Za-z0-9_-]{1,64}$");
        }

        if (!RoomIds.IsSafeToken(clientMsgId, 64))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");
        }

        // Not CancellationToken from the connection: once the gift is on its way it completes even if the
        // sender vanishes, and a retry finds it by clientMsgId.
        return _roomService.SendGiftAsync(new GiftRequest(roomId, member.Identity.SenderIn(roomId), giftId, count, clientMsgId), CancellationToken.None);
    }

    /// <summary>Sends likes.</summary>
    public Task<LikeReply> SendLike(int count)
    {
        var (member, roomId) = Sender();
        return _roomService.SendLikeAsync(new LikeRequest(roomId, member.Identity.SenderIn(roomId), count), Context.ConnectionAborted);
    }

    /// <summary>Mutes <paramref name="userId"/> in the joined room for <paramref name="seconds"/> (streamer and moderators only).</summary>
    public Task<ModerateReply> Mute(string userId, int seconds)
    {
        var (member, roomId) = Moderator();
        RequireUserId(userId);
        if (seconds is < 1 or > ModerationLimits.MaxMuteSeconds)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, $"seconds must be between 1 and {ModerationLimits.MaxMuteSeconds}");
        }

        return Moderate(member, roomId, RoomEventTypes.Mute, userId, seconds);
    }

    /// <summary>Lifts a mute.</summary>
    public Task<ModerateReply> Unmute(string userId) => ModerateUser(RoomEventTypes.Unmute, userId);

    /// <summary>Bans <paramref name="userId"/> from the joined room: its connections in the room are closed on every gateway.</summary>
    public Task<ModerateReply> Ban(string userId) => ModerateUser(RoomEventTypes.Ban, userId);

    /// <summary>Lifts a ban.</summary>
    public Task<ModerateReply> Unban(string userId) => ModerateUser(RoomEventTypes.Unban, userId);

    /// <summary>Slow mode: one chat line per viewer per <paramref name="seconds"/> (0 = off).</summary>
    public Task<ModerateReply> SetSlowMode(int seconds)
    {
        var (member, roomId) = Moderator();
        if (seconds is < 0 or > ModerationLimits.MaxSlowModeSeconds)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, $"seconds must be between 0 (off) and {ModerationLimits.MaxSlowModeSeconds}");
        }

        return Moderate(member, roomId, RoomEventTypes.SlowMode, seconds: seconds);
    }

    /// <summary>Tells every client of the room to hide message <paramref name="id"/>.</summary>
    public Task<ModerateReply> DeleteMessage(long id)
    {
        var (member, roomId) = Moderator();
        if (id < 1)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "id must be a message id (> 0)");
        }

        return Moderate(member, roomId, RoomEventTypes.Delete, messageId: id);
    }

    /// <summary>
    /// The streamer reports the stream time current as this call is sent (read from the encoder or the player of its
    /// own stream), every 0.5-2 s; RoomService estimates the room's stream clock from the reports (docs/stream-clock.md)
    /// and stamps every event with it. The room's streamer only (<c>forbidden</c> otherwise); RoomService checks again.
    /// </summary>
    public Task<ClockReply> ReportStreamClock(long streamMs)
    {
        var (member, roomId) = Sender();
        if (member.Identity.RoleIn(roomId) != Roles.Streamer)
        {
            throw new RoomException(ErrorCodes.Forbidden, "only the room's streamer may report its stream clock");
        }

        // The cheap half of RoomService's check (its upper bound is a setting): a negative time never costs a bus trip.
        if (streamMs < 0)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "streamMs must be a whole number of stream milliseconds >= 0");
        }

        // Not the connection's token: a report on its way completes; it is cheap and idempotent in effect.
        return _roomService.ReportClockAsync(new ClockRequest(roomId, member.Identity.SenderIn(roomId), streamMs), CancellationToken.None);
    }

    public override Task OnConnectedAsync()
    {
        // The lifetime manager registered the member before this runs (GatewayHubLifetimeManager).
        return Task.CompletedTask;
    }

    private Task<ModerateReply> ModerateUser(string action, string userId)
    {
        var (member, roomId) = Moderator();
        RequireUserId(userId);
        return Moderate(member, roomId, action, userId);
    }

    // Not the connection's token: an action on its way completes even if the moderator's connection drops.
    private Task<ModerateReply> Moderate(RoomMember member, string roomId, string action, string? userId = null, int? seconds = null, long? messageId = null) =>
        _roomService.ModerateAsync(new ModerateRequest(roomId, member.Identity.SenderIn(roomId), action, userId, seconds, messageId), CancellationToken.None);

    // The room's streamer or one of its moderators (the role is room-scoped: a streamer of another room is a viewer
    // here). RoomService checks again.
    private (RoomMember Member, string RoomId) Moderator()
    {
        var (member, roomId) = Sender();
        if (member.Identity.RoleIn(roomId) is not (Roles.Streamer or Roles.Moderator))
        {
            throw new RoomException(ErrorCodes.Forbidden, "only the room's streamer and its moderators may moderate it");
        }

        return (member, roomId);
    }

    private static void RequireUserId(string userId)
    {
        if (!UserIds.IsValid(userId))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, $"userId must be 1..{UserIds.MaxLength} characters without control characters");
        }
    }

    private RoomMember Member() =>
        _registry.FindMember(Context.ConnectionId) ?? throw new RoomException(ErrorCodes.Unavailable, "connection is closing");

    private (RoomMember Member, string RoomId) Sender()
    {
        var member = Member();
        if (member.Identity.IsAnonymous)
        {
            throw new RoomException(ErrorCodes.Unauthorized, "sign in to send");
        }

        return member.RoomId is { } roomId ? (member, roomId) : throw new RoomException(ErrorCodes.NotJoined, "join a room first");
    }
}
