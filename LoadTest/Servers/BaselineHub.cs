using Microsoft.AspNetCore.SignalR;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// The hub a team would write without LiveIm: a room is a SignalR group, and each message is stamped and sent to the
/// group with <c>Clients.Group(room).SendAsync</c>, one message at a time. Default SignalR options, JSON protocol.
/// </summary>
public sealed class BaselineHub : Hub
{
    private const string RoomKey = "room";

    private readonly BaselineRooms _rooms;

    public BaselineHub(BaselineRooms rooms)
    {
        _rooms = rooms;
    }

    /// <summary>Joins the room's group.</summary>
    public async Task<JoinResult> JoinRoom(string roomId, long? lastSeq)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, roomId);
        Context.Items[RoomKey] = roomId;
        return new JoinResult(roomId, _rooms.CurrentSeq(roomId), true, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>Stamps a chat line and sends it to the room.</summary>
    public async Task<SendResult> SendChat(string text)
    {
        var roomId = Room();
        var e = new BaselineEvent(roomId, _rooms.NextId(roomId), null, "chat", "chat", From(), text, null, Now(), null);
        await Clients.Group(roomId).SendAsync("events", new[] { e });
        return new SendResult(e.Id, null, "ok");
    }

    /// <summary>Stamps a gift and sends it to the room.</summary>
    public async Task<SendResult> SendGift(string giftId, int count, string clientMsgId)
    {
        var roomId = Room();
        var e = new BaselineEvent(roomId, _rooms.NextId(roomId), _rooms.NextSeq(roomId), "gift", "gift", From(),
            null, new BaselineEvent.GiftInfo(giftId, count), Now(), null);
        await Clients.Group(roomId).SendAsync("events", new[] { e });
        return new SendResult(e.Id, e.Seq, "ok");
    }

    private string Room() =>
        Context.Items.TryGetValue(RoomKey, out var room) && room is string roomId
            ? roomId
            : throw new HubException("not_joined: join a room first");

    private BaselineEvent.Sender From() => new(Context.ConnectionId, "publisher", "viewer");

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>JoinRoom's answer (same fields as LiveIm's).</summary>
    public sealed record JoinResult(string RoomId, long Seq, bool Recovered, long Online, long ServerTime);

    /// <summary>SendChat's and SendGift's answer.</summary>
    public sealed record SendResult(long Id, long? Seq, string Status);
}
