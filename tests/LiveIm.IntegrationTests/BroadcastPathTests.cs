using System.Text.Json;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

[Collection(ClusterCollection.Name)]
public sealed class BroadcastPathTests
{
    private readonly LiveImCluster _cluster;

    public BroadcastPathTests(LiveImCluster cluster)
    {
        _cluster = cluster;
    }

    private static string NewRoom() => "room-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Chat_and_gift_sent_on_gateway_B_reach_a_viewer_on_gateway_A_within_a_second()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("streamer1", Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);

        var sentAt = DateTimeOffset.UtcNow;
        var chat = await streamer.SendChatAsync("  hello room  ");
        var gift = await streamer.SendGiftAsync("rose", 3, "m-1");
        await received.WaitForAsync(e => e.Any(x => x.Type == "gift"), "the gift reaches the viewer", seconds: 1);

        var chatEvent = Assert.Single(received.OfType(RoomEventTypes.Chat));
        Assert.Equal(chat.Id, chatEvent.Id);
        Assert.Equal("hello room", chatEvent.Text);
        Assert.Null(chatEvent.Seq);
        Assert.Equal(Lane.Chat, chatEvent.Lane);
        Assert.Equal(new EventSender("streamer1", "STREAMER1", Roles.Streamer), chatEvent.From);
        var giftEvent = Assert.Single(received.OfType(RoomEventTypes.Gift));
        Assert.Equal((gift.Id, gift.Seq, "ok"), (giftEvent.Id, giftEvent.Seq!.Value, gift.Status));
        Assert.Equal(new GiftInfo("rose", 3), giftEvent.Gift);
        Assert.True(giftEvent.Id > chatEvent.Id, "ids increase across lanes");
        Assert.InRange(giftEvent.ServerTs, sentAt.ToUnixTimeMilliseconds() - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Null(giftEvent.StreamTs);
    }

    [Fact]
    public async Task The_bus_carries_one_message_per_room_event_and_a_gateway_without_members_receives_none()
    {
        var room = NewRoom();
        var viewers = new List<RoomClient>();
        for (var i = 0; i < 6; i++)
        {
            var v = await _cluster.ConnectAsync(i % 2); // three on A, three on B
            await v.JoinRoomAsync(room);
            viewers.Add(v);
        }

        var collectors = viewers.Select(v => new EventCollector(v)).ToList();
        await using var tap = await TestBus.ConnectAsync(_cluster.Nats.Url, "test-tap");
        var onBus = 0;
        // RoomService also publishes the room's online total on this subject when it changes (Presence): not counted.
        await using var sub = await tap.SubscribeAsync("liveim.room." + room, m =>
        {
            if (!System.Text.Encoding.UTF8.GetString(m.Data.Span).Contains("\"type\":\"online\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref onBus);
            }

            return ValueTask.CompletedTask;
        });
        var idleBefore = await OutMsgsAsync("gateway:gwC");

        await using var sender = await _cluster.ConnectAsync(1, _cluster.Token("fan"));
        await sender.JoinRoomAsync(room);
        const int sends = 20;
        for (var i = 0; i < sends; i++)
        {
            await sender.SendChatAsync("line " + i);
        }

        await Task.WhenAll(collectors.Select(c => c.WaitForAsync(e => e.Count(x => x.Type == "chat") == sends, "every viewer gets every line")));
        await Eventually.TrueAsync(() => Volatile.Read(ref onBus) == sends, TimeSpan.FromSeconds(2), "the tap sees each event");
        await Task.Delay(200);
        Assert.Equal(sends, Volatile.Read(ref onBus)); // once per event, though seven members on two gateways receive it
        Assert.Equal(idleBefore, await OutMsgsAsync("gateway:gwC"));
        var subsz = await _cluster.Nats.MonitorAsync("connz?subs=1");
        var subscribers = JsonDocument.Parse(subsz).RootElement.GetProperty("connections").EnumerateArray()
            .Where(c => c.TryGetProperty("subscriptions_list", out var subs) && subs.EnumerateArray().Any(s => s.GetString() == "liveim.room." + room))
            .Select(c => c.GetProperty("name").GetString()).OrderBy(n => n).ToList();
        Assert.Equal(new[] { "gateway:gwA", "gateway:gwB", "test-tap" }, subscribers);
        foreach (var v in viewers)
        {
            await v.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_gateway_unsubscribes_from_a_room_when_its_last_member_leaves()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(2);
        await viewer.JoinRoomAsync(room);
        Assert.Contains("gateway:gwC", await SubscribersAsync(room));
        await viewer.LeaveRoomAsync();
        await Eventually.TrueAsync(async () => !(await SubscribersAsync(room)).Contains("gateway:gwC"), TimeSpan.FromSeconds(3), "gwC drops the subscription");
    }

    [Fact]
    public async Task A_gift_retried_with_the_same_client_message_id_is_delivered_once()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("generous"));
        await fan.JoinRoomAsync(room);

        var first = await fan.SendGiftAsync("rocket", 1, "retry-me");
        var second = await fan.SendGiftAsync("rocket", 1, "retry-me");
        var third = await fan.SendGiftAsync("rocket", 1, "another");
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") >= 2, "two distinct gifts");
        await Task.Delay(300);

        Assert.Equal("ok", first.Status);
        Assert.Equal(("duplicate", first.Id, first.Seq), (second.Status, second.Id, second.Seq));
        Assert.Equal(first.Seq + 1, third.Seq);
        Assert.Equal(new long?[] { first.Seq, third.Seq }, received.OfType("gift").Select(g => g.Seq).ToArray());
    }

    [Fact]
    public async Task A_viewer_resuming_with_lastSeq_gets_exactly_the_missed_gifts_in_order_then_live_ones()
    {
        var room = NewRoom();
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("fan-resume"));
        await fan.JoinRoomAsync(room);
        var viewer = await _cluster.ConnectAsync(0);
        var before = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        for (var i = 0; i < 3; i++)
        {
            await fan.SendGiftAsync("heart", 1, "before-" + i);
        }

        await before.WaitForAsync(e => e.Count(x => x.Type == "gift") == 3, "three gifts before the drop");
        var lastSeq = viewer.LastSeq;
        await viewer.DisposeAsync(); // the phone loses its connection

        var missed = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            missed.Add((await fan.SendGiftAsync("heart", 1, "missed-" + i)).Seq);
            await fan.SendChatAsync("chat while away " + i); // best effort: not replayed
        }

        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, lastSeq);
        var live = await fan.SendGiftAsync("heart", 1, "live-after");
        await after.WaitForAsync(e => e.Any(x => x.Seq == live.Seq), "the live gift after the missed ones");

        Assert.True(join.Recovered);
        Assert.Equal(missed[^1], join.Seq);
        Assert.Equal(missed.Append(live.Seq).ToArray(), after.OfType("gift").Select(g => g.Seq!.Value).ToArray());
    }

    [Fact]
    public async Task A_resume_beyond_what_history_holds_says_not_recovered()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var join = await viewer.JoinRoomAsync(room, lastSeq: 99);
        Assert.False(join.Recovered); // the client claims seqs the room never had (e.g. a store that lost its data)
        Assert.Equal(0, join.Seq);
    }

    [Fact]
    public async Task Joining_another_room_leaves_the_first()
    {
        var (first, second) = (NewRoom(), NewRoom());
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(first);
        await viewer.JoinRoomAsync(second);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("two-rooms"));
        await fan.JoinRoomAsync(first);
        await fan.SendChatAsync("to the first room");
        await fan.JoinRoomAsync(second);
        await fan.SendChatAsync("to the second room");
        await received.WaitForAsync(e => e.Any(x => x.Text == "to the second room"), "the second room's chat");
        Assert.DoesNotContain(received.Events, e => e.RoomId == first);
    }

    [Fact]
    public async Task Online_count_includes_members_on_other_gateways_after_their_report()
    {
        var room = NewRoom();
        await using var a = await _cluster.ConnectAsync(0);
        await a.JoinRoomAsync(room);
        await using var b = await _cluster.ConnectAsync(1);
        await Eventually.TrueAsync(async () => (await b.JoinRoomAsync(room)).Online == 2, TimeSpan.FromSeconds(6), "B sees A's member through the presence report");
    }

    [Fact]
    public async Task Likes_are_delivered_on_the_like_lane()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("liker"));
        await fan.JoinRoomAsync(room);
        await fan.SendLikeAsync(7);
        await received.WaitForAsync(e => e.Any(x => x.Lane == Lane.Like), "likes");
        Assert.Equal(7, received.Events.Single().Likes);
    }

    private async Task<long> OutMsgsAsync(string connectionName)
    {
        var connz = JsonDocument.Parse(await _cluster.Nats.MonitorAsync("connz")).RootElement;
        return connz.GetProperty("connections").EnumerateArray()
            .Single(c => c.TryGetProperty("name", out var n) && n.GetString() == connectionName)
            .GetProperty("out_msgs").GetInt64();
    }

    private async Task<List<string?>> SubscribersAsync(string room)
    {
        var connz = JsonDocument.Parse(await _cluster.Nats.MonitorAsync("connz?subs=1")).RootElement;
        return connz.GetProperty("connections").EnumerateArray()
            .Where(c => c.TryGetProperty("subscriptions_list", out var subs) && subs.EnumerateArray().Any(s => s.GetString() == "liveim.room." + room))
            .Select(c => c.GetProperty("name").GetString()).ToList();
    }
}
