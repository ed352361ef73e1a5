using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// RoomClient on either hub protocol against the real gateways: a JSON and a MessagePack member of one room see the
/// same events, calls answer the same results, and errors carry the same codes and words.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MessagePackClientTests
{
    private readonly LiveImCluster _cluster;

    public MessagePackClientTests(LiveImCluster cluster)
    {
        _cluster = cluster;
    }

    private static string NewRoom() => "pack-" + Guid.NewGuid().ToString("N")[..10];

    [Theory]
    [InlineData(RoomProtocol.Json)]
    [InlineData(RoomProtocol.MessagePack)]
    public async Task A_streamer_on_either_protocol_is_heard_alike_by_JSON_and_MessagePack_viewers(RoomProtocol streamerProtocol)
    {
        var room = NewRoom();
        await using var jsonViewer = await ConnectAsync(0, RoomProtocol.Json, null);
        await using var packViewer = await ConnectAsync(0, RoomProtocol.MessagePack, null);
        await using var otherGateway = await ConnectAsync(1, RoomProtocol.MessagePack, null);
        var viewers = new[] { jsonViewer, packViewer, otherGateway };
        var collectors = viewers.Select(v => new EventCollector(v)).ToArray();
        foreach (var viewer in viewers)
        {
            var joined = await viewer.JoinRoomAsync(room);
            Assert.Equal(room, joined.RoomId);
            Assert.True(joined.Online >= 1 && joined.ServerTime > 0, $"join result {joined}");
        }

        await using var streamer = await ConnectAsync(1, streamerProtocol, _cluster.Token("packer", Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        var chat = await streamer.SendChatAsync("hello in any protocol: é ☃ 🎁");
        var gift = await streamer.SendGiftAsync("rose", 3, "pack-1");
        var again = await streamer.SendGiftAsync("rose", 3, "pack-1");
        var like = await streamer.SendLikeAsync(7);
        var mute = await streamer.MuteAsync("someone", 60);
        Assert.Equal("ok", chat.Status);
        Assert.Equal((1L, "ok"), (gift.Seq, gift.Status));
        Assert.Equal((gift.Id, gift.Seq, "duplicate"), (again.Id, again.Seq, again.Status));
        Assert.Equal("ok", like.Status);
        Assert.Equal(2, mute.Seq);

        foreach (var collector in collectors)
        {
            await collector.WaitForAsync(e => e.Any(x => x.Type == RoomEventTypes.Mute) && e.Any(x => x.Type == RoomEventTypes.Likes), "chat, gift, likes and mute arrive");
        }

        // The same events, field for field (online counts come and go with the joins: not compared). Compared by id:
        // a room's likes are summed per tick and leave with its next chat tick, so on one gateway they may come after a
        // mute that a reliable tick sent first, and before it on the other; the lanes promise no order between them.
        var expected = collectors[0].Events.Where(e => e.Type != RoomEventTypes.Online).OrderBy(e => e.Id).ToList();
        Assert.Equal(4, expected.Count);
        Assert.Equal("hello in any protocol: é ☃ 🎁", expected.Single(e => e.Type == RoomEventTypes.Chat).Text);
        Assert.Equal(new GiftInfo("rose", 3), expected.Single(e => e.Type == RoomEventTypes.Gift).Gift);
        Assert.Equal(7, expected.Single(e => e.Type == RoomEventTypes.Likes).Likes);
        Assert.Equal(60, expected.Single(e => e.Type == RoomEventTypes.Mute).Moderation!.Seconds);
        foreach (var collector in collectors.Skip(1))
        {
            Assert.Equal(expected, collector.Events.Where(e => e.Type != RoomEventTypes.Online).OrderBy(e => e.Id).ToList());
        }

        // Errors: the same code and words on both protocols.
        var refusals = new List<string>();
        foreach (var client in new[] { jsonViewer, packViewer })
        {
            var error = await Assert.ThrowsAsync<RoomClientException>(() => client.SendGiftAsync("ro.se", 1, "x"));
            refusals.Add(error.Message);
        }

        Assert.Equal(refusals[0], refusals[1]);
        var invalid = await Assert.ThrowsAsync<RoomClientException>(() => streamer.SendGiftAsync("ro.se", 1, "x"));
        Assert.Equal("invalid_argument", invalid.Code);
        var notJoined = await Assert.ThrowsAsync<RoomClientException>(async () =>
        {
            await using var fresh = await ConnectAsync(0, RoomProtocol.MessagePack, _cluster.Token("fresh-" + room));
            await fresh.SendChatAsync("hi");
        });
        Assert.Equal("not_joined", notJoined.Code);
    }

    [Fact]
    public async Task A_MessagePack_viewer_resuming_with_lastSeq_gets_the_missed_gifts_once_in_order()
    {
        var room = NewRoom();
        await using var streamer = await ConnectAsync(1, RoomProtocol.Json, _cluster.Token("resumer-streamer", Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using (var first = await ConnectAsync(0, RoomProtocol.MessagePack, null))
        {
            await first.JoinRoomAsync(room);
            await streamer.SendGiftAsync("rose", 1, "r-1");
        }

        var missed = new List<long>();
        for (var i = 2; i <= 4; i++)
        {
            missed.Add((await streamer.SendGiftAsync("rose", 1, "r-" + i)).Seq);
        }

        await using var back = await ConnectAsync(0, RoomProtocol.MessagePack, null);
        var received = new EventCollector(back);
        var joined = await back.JoinRoomAsync(room, lastSeq: 1);
        Assert.True(joined.Recovered);
        missed.Add((await streamer.SendGiftAsync("rose", 1, "r-5")).Seq);
        await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Gift) >= 4, "the missed gifts and the live one");
        await Task.Delay(200);
        Assert.Equal(missed, received.OfType(RoomEventTypes.Gift).Select(g => g.Seq!.Value).ToList());
    }

    [Fact]
    public async Task A_tick_over_64_KB_is_split_into_frames_in_order_alike_for_JSON_and_MessagePack_members()
    {
        var room = NewRoom();
        await using var jsonViewer = await ConnectAsync(0, RoomProtocol.Json, null);
        await using var packViewer = await ConnectAsync(0, RoomProtocol.MessagePack, null);
        var json = new EventCollector(jsonViewer);
        var pack = new EventCollector(packViewer);
        await jsonViewer.JoinRoomAsync(room);
        await packViewer.JoinRoomAsync(room);
        await using var bus = await TestBus.ConnectAsync(_cluster.Nats.Url, "test-publisher");

        // 300 lines of ~450 bytes of JSON each, published at once: ~135 KB in one or two ticks, so frames get split.
        const int lines = 300;
        for (var i = 1; i <= lines; i++)
        {
            await bus.PublishAsync("liveim.room." + room, RoomEventJson.Serialize(new RoomEvent
            {
                RoomId = room, Id = i, Lane = Lane.Chat, Type = RoomEventTypes.Chat, Text = $"line {i} " + new string('x', 300),
                From = new EventSender("u" + i, "U", Roles.Viewer), ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }));
        }

        // Only the lines are counted: the room's online count may be broadcast to both members meanwhile.
        await json.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == lines, "the JSON member gets every line");
        await pack.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == lines, "the MessagePack member gets every line");
        Assert.Equal(Enumerable.Range(1, lines).Select(i => (long)i), json.OfType(RoomEventTypes.Chat).Select(e => e.Id));
        Assert.Equal(json.Events, pack.Events);
        Assert.True(json.Frames.Count >= 3, $"~135 KB of events cannot go in fewer than 3 frames of 64 KB: [{string.Join(",", json.Frames)}]");
        Assert.Equal(json.Frames, pack.Frames); // split by the JSON size, so both get the same frames
    }

    private async Task<RoomClient> ConnectAsync(int gateway, RoomProtocol protocol, string? token)
    {
        var client = new RoomClient(new RoomClientOptions { GatewayUrl = _cluster.Gateways[gateway], AccessToken = token, Protocol = protocol });
        await client.ConnectAsync();
        return client;
    }
}
