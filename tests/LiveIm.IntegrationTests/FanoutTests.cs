using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Serialization;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The gateway's fan-out engine with real NATS: tick merge, likes aggregation, lanes, online ride-along, slow
/// consumers, counters. Bulk traffic is published straight onto the room subject (as RoomService would) so the
/// tests control its timing; gifts take the real path through RoomService so that resume can find them.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FanoutTests
{
    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;

    public FanoutTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom() => "fan-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_burst_is_merged_into_few_frames_in_order_and_a_lone_event_in_an_idle_room_goes_out_alone()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var bus = await BusAsync();

        const int burst = 300;
        for (var i = 1; i <= burst; i++)
        {
            await bus.PublishAsync("liveim.room." + room, Chat(room, i, "line " + i));
        }

        await received.WaitForAsync(e => e.Count == burst, "every event of the burst arrives");
        Assert.Equal(Enumerable.Range(1, burst).Select(i => (long)i), received.Events.Select(e => e.Id));
        var frames = received.Frames;
        _output.WriteLine($"{burst} events arrived in {frames.Count} frames: [{string.Join(",", frames)}]");
        Assert.True(frames.Count <= burst / 10, $"a burst is merged per tick: {burst} events took {frames.Count} frames");

        // Quiet for several ticks, then one event: nothing to merge with, it goes out in a frame of its own.
        await Task.Delay(300);
        await bus.PublishAsync("liveim.room." + room, Chat(room, burst + 1, "alone"));
        await received.WaitForAsync(e => e.Count == burst + 1, "the lone event arrives");
        Assert.Equal(1, received.Frames[^1]);
    }

    [Fact]
    public async Task Likes_of_a_tick_are_summed_into_one_likes_event_and_chat_keeps_its_lines()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var bus = await BusAsync();

        const int likeEvents = 200;
        for (var i = 1; i <= likeEvents; i++)
        {
            await bus.PublishAsync("liveim.room." + room, Like(room, i, 3));
        }

        await bus.PublishAsync("liveim.room." + room, Chat(room, likeEvents + 1, "after the likes"));
        await received.WaitForAsync(e => e.Any(x => x.Type == RoomEventTypes.Chat), "the chat line after the likes arrives");
        await received.WaitForAsync(e => e.Where(x => x.Type == RoomEventTypes.Likes).Sum(x => x.Likes ?? 0) == likeEvents * 3, "all likes are counted");

        var likes = received.OfType(RoomEventTypes.Likes);
        _output.WriteLine($"{likeEvents} like events arrived as {likes.Count}: {string.Join(",", likes.Select(l => l.Likes))}");
        Assert.True(likes.Count <= likeEvents / 10, $"likes are aggregated per tick: {likes.Count} events for {likeEvents}");
        Assert.All(likes, l => Assert.Equal(Lane.Like, l.Lane));
        Assert.Equal(likeEvents, likes.Max(l => l.Id)); // the aggregate carries the highest id it covers
    }

    [Fact]
    public async Task Gifts_and_chat_sent_together_all_arrive_gifts_in_seq_order()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("mixer", Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);

        var sends = new List<Task>();
        for (var i = 0; i < 30; i++)
        {
            sends.Add(streamer.SendChatAsync("mixed " + i));
            sends.Add(streamer.SendGiftAsync("rose", 1, "mix-" + i));
        }

        await Task.WhenAll(sends);
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 30 && e.Count(x => x.Type == "chat") == 30, "every gift and line arrives");
        var seqs = received.OfType(RoomEventTypes.Gift).Select(g => g.Seq!.Value).ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), seqs.Order());
        Assert.Equal(30, seqs.Distinct().Count());
    }

    [Fact]
    public async Task The_online_count_of_all_gateways_rides_along()
    {
        var room = NewRoom();
        await using var a1 = await _cluster.ConnectAsync(0);
        var received = new EventCollector(a1);
        await a1.JoinRoomAsync(room);
        await using var a2 = await _cluster.ConnectAsync(0);
        await a2.JoinRoomAsync(room);
        await using var b1 = await _cluster.ConnectAsync(1);
        await b1.JoinRoomAsync(room);

        // Presence reports every 2 s; the total comes back with the report and goes out when it changed.
        await received.WaitForAsync(e => e.LastOrDefault(x => x.Type == RoomEventTypes.Online)?.Online == 3, "the online event says 3", seconds: 10);
        var online = received.OfType(RoomEventTypes.Online)[^1];
        Assert.Equal(Lane.System, online.Lane);
        Assert.Null(online.Seq);
    }

    [Fact]
    public async Task Frames_go_straight_to_the_connections_WebSocket_not_through_the_hub_pipe()
    {
        var room = NewRoom();
        var gateway = _cluster.Gateways[0];
        var before = await MetricsAsync(gateway);
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var bus = await BusAsync();
        for (var i = 1; i <= 50; i++)
        {
            await bus.PublishAsync("liveim.room." + room, Chat(room, i, "line " + i));
        }

        await received.WaitForAsync(e => e.Count == 50, "the lines arrive");
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), received.Events.Select(e => e.Id));
        var after = await MetricsAsync(gateway);
        Assert.True(after.Writers("socket") > before.Writers("socket"), $"the viewer's frames are written to its WebSocket (socket {before.Writers("socket")} -> {after.Writers("socket")}, hub {before.Writers("hub")} -> {after.Writers("hub")})");
        Assert.Equal(before.Writers("hub"), after.Writers("hub"));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task A_member_that_stops_reading_drops_to_reliable_only_then_is_closed_and_recovers_every_gift_by_resuming(string protocol)
    {
        var room = NewRoom();
        var gateway = _cluster.Gateways[0];
        var before = await MetricsAsync(gateway);

        await using var normal = await _cluster.ConnectAsync(0);
        var normalEvents = new EventCollector(normal);
        await normal.JoinRoomAsync(room);
        await using var slowJson = protocol == "json" ? new RawHubSocket(receiveBufferBytes: 4096) : null;
        await using var slowPack = protocol == "messagepack" ? new RawMessagePackSocket(receiveBufferBytes: 4096) : null;
        if (slowJson is not null)
        {
            await slowJson.ConnectAsync(gateway);
            await slowJson.JoinAsync(room);
        }
        else
        {
            await slowPack!.ConnectAsync(gateway);
            await slowPack.JoinAsync(room);
        }

        await using var bus = await BusAsync();

        // The slow member now reads nothing. Flood: ~600-byte chat lines straight onto the bus at about 2,000 a second
        // (1.2 MB/s: a reading client keeps up easily), and real gifts through RoomService (its bus request subject,
        // so no sending client is itself a reader of the flood), 10 per round.
        var text = new string('x', 560);
        var gifts = 0;
        var id = 1_000_000L;
        var started = Stopwatch.StartNew();
        var closed = false;
        var chats = 0;
        while (!closed && started.Elapsed < TimeSpan.FromSeconds(30))
        {
            var round = Task.Delay(50);
            for (var i = 0; i < 100; i++)
            {
                await bus.PublishAsync("liveim.room." + room, Chat(room, ++id, text));
                chats++;
            }

            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => SendGiftAsync(bus, room, "slow-" + Interlocked.Increment(ref gifts))));
            await round;
            closed = (await MetricsAsync(gateway)).Get("liveim_gateway_slow_consumer_closes_total") > before.Get("liveim_gateway_slow_consumer_closes_total");
        }

        Assert.True(closed, "the slow member is closed within 30 s of flooding");
        var after = await MetricsAsync(gateway);
        _output.WriteLine($"flooded {chats} chat lines and {gifts} gifts in {started.ElapsedMilliseconds} ms");
        _output.WriteLine($"degraded {after.Get("liveim_gateway_chat_degraded_total") - before.Get("liveim_gateway_chat_degraded_total")}, "
            + $"chat dropped {after.Get("liveim_gateway_dropped_total", "chat") - before.Get("liveim_gateway_dropped_total", "chat")}, "
            + $"gifts dropped {after.Get("liveim_gateway_dropped_total", "gift") - before.Get("liveim_gateway_dropped_total", "gift")}");
        Assert.True(after.Get("liveim_gateway_chat_degraded_total") > before.Get("liveim_gateway_chat_degraded_total"), "it went reliable-only first");
        Assert.True(after.Get("liveim_gateway_dropped_total", "chat") > before.Get("liveim_gateway_dropped_total", "chat"), "its chat was dropped and counted");

        // The member next to it lost nothing: every line and every gift.
        await normalEvents.WaitForAsync(e => e.Count(x => x.Type == "chat") == chats && e.Count(x => x.Type == "gift") == gifts,
            "the well-behaved member gets every line and every gift", seconds: 20);

        // The slow member reads again: what was already in flight, then the close message with the reason.
        using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var (seen, closeError) = slowJson is not null
            ? await ReadUntilCloseAsync(slowJson, readTimeout.Token)
            : await ReadUntilCloseAsync(slowPack!, readTimeout.Token);
        Assert.NotNull(closeError);
        Assert.StartsWith("slow_consumer: ", closeError);

        // Reconnect and resume from the last contiguous gift it saw: every gift is there, once.
        long lastSeq = 0;
        while (seen.Contains(lastSeq + 1))
        {
            lastSeq++;
        }

        await using var resumed = await _cluster.ConnectAsync(0);
        var resumedEvents = new EventCollector(resumed);
        var join = await resumed.ResumeAsync(room, lastSeq);
        Assert.True(join.Recovered);
        await resumedEvents.WaitForAsync(e => e.Count(x => x.Type == "gift") == gifts - lastSeq, "the resume carries every gift after lastSeq");
        var all = seen.Where(s => s <= lastSeq).Concat(resumedEvents.OfType(RoomEventTypes.Gift).Select(g => g.Seq!.Value)).ToList();
        Assert.Equal(Enumerable.Range(1, gifts).Select(i => (long)i), all.Order());
        _output.WriteLine($"slow member saw {seen.Count} gifts before the close (contiguous to {lastSeq}); the resume brought {gifts - lastSeq}");
    }

    [Fact]
    public async Task Unreadable_bus_payloads_are_dropped_and_the_room_keeps_delivering()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var bus = await BusAsync();
        var refusedBefore = (await MetricsAsync(_cluster.Gateways[0])).Get("liveim_bus_refused_total");
        var garbage = new[]
        {
            ""u8.ToArray(), "not json"u8.ToArray(), "[]"u8.ToArray(), "{}"u8.ToArray(), "{\"id\":1"u8.ToArray(),
            "{\"id\":1,\"lane\":\"teleport\"}"u8.ToArray(), "{\"id\":\"x\",\"lane\":\"chat\"}"u8.ToArray(),
            "{\"id\":2,\"lane\":\"gift\"}"u8.ToArray(), // reliable without a seq
            "{\"id\":3,\"seq\":-5,\"lane\":\"gift\"}"u8.ToArray(),
            "{\"id\":4,\"lane\":\"chat\"}{\"id\":5,\"lane\":\"chat\"}"u8.ToArray(), // two objects: could break the frame's JSON
            "{\"id\":6,\"lane\":\"chat\",\"text\":\"unterminated}"u8.ToArray(),
            new byte[] { 0x7B, 0xFF, 0xFE, 0x7D }, // invalid UTF-8
            [.. "{\"id\":8,\"lane\":\"chat\",\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8], // invalid UTF-8 inside a string
            System.Text.Encoding.UTF8.GetBytes("{\"id\":7,\"lane\":\"chat\",\"x\":" + new string('[', 5000) + new string(']', 5000) + "}"),
        };

        for (var i = 0; i < garbage.Length; i++)
        {
            await bus.PublishAsync("liveim.room." + room, garbage[i]);
            await bus.PublishAsync("liveim.room." + room, Chat(room, 100 + i, "good " + i));
        }

        // Only the chat lines count: the room's online count may ride along as a system event at any time.
        await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == garbage.Length, "every valid event arrives");
        await Task.Delay(200); // and nothing else follows
        Assert.Equal(Enumerable.Range(0, garbage.Length).Select(i => "good " + i), received.Events.Where(e => e.Type != RoomEventTypes.Online).Select(e => e.Text));
        Assert.Equal(garbage.Length, (await MetricsAsync(_cluster.Gateways[0])).Get("liveim_bus_refused_total") - refusedBefore); // each counted
        _output.WriteLine($"tried {garbage.Length} unreadable payloads between valid ones: all dropped and counted, all valid delivered");
    }

    [Fact]
    public async Task Metrics_endpoint_reports_fanout_counters_per_lane()
    {
        var room = NewRoom();
        await using var viewer = await _cluster.ConnectAsync(2);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var bus = await BusAsync();
        var before = await MetricsAsync(_cluster.Gateways[2]);
        await bus.PublishAsync("liveim.room." + room, Chat(room, 1, "counted"));
        await received.WaitForAsync(e => e.Count == 1, "the line arrives");

        // The delivery is counted just after the write that the client has already read: poll for it.
        var after = before;
        await Eventually.TrueAsync(async () =>
        {
            after = await MetricsAsync(_cluster.Gateways[2]);
            return after.Get("liveim_gateway_deliveries_total", "chat") > before.Get("liveim_gateway_deliveries_total", "chat");
        }, TimeSpan.FromSeconds(5), "the delivery is counted");
        Assert.Equal(1, after.Get("liveim_gateway_events_in_total", "chat") - before.Get("liveim_gateway_events_in_total", "chat"));
        Assert.Equal(1, after.Get("liveim_gateway_deliveries_total", "chat") - before.Get("liveim_gateway_deliveries_total", "chat"));
        Assert.True(after.Get("liveim_gateway_connections") >= 1);
        Assert.Contains("# TYPE liveim_gateway_dropped_total counter", after.Text);
        Assert.True(after.Get("liveim_gateway_frame_buffers_rented_total") >= after.Get("liveim_gateway_frame_buffers_returned_total"));
    }

    // A streamer's gift as a gateway would ask RoomService for it: persisted, sequenced, published once.
    private static async Task SendGiftAsync(TestBus bus, string room, string clientMsgId)
    {
        var request = new GiftRequest(room, new EventSender("slowtest", "SLOWTEST", Roles.Streamer), "rose", 1, clientMsgId);
        var reply = await bus.RequestAsync(Subjects.Gift, JsonSerializer.SerializeToUtf8Bytes(request, LiveImJson.Default.GiftRequest), TimeSpan.FromSeconds(5));
        JsonSerializer.Deserialize(reply.Span, LiveImJson.Default.BusReplyGiftReply)!.Unwrap();
    }

    private Task<TestBus> BusAsync() => TestBus.ConnectAsync(_cluster.Nats.Url, "test-publisher");

    // The gift seqs of every frame up to the close message, and the close's error (null when none came).
    private static async Task<(HashSet<long> Seen, string? CloseError)> ReadUntilCloseAsync(RawHubSocket slow, CancellationToken ct)
    {
        var seen = new HashSet<long>();
        while (await slow.ReadRecordAsync(ct) is { } record)
        {
            using var doc = JsonDocument.Parse(record);
            var type = doc.RootElement.GetProperty("type").GetInt32();
            if (type == 7)
            {
                Assert.True(doc.RootElement.GetProperty("allowReconnect").GetBoolean());
                return (seen, doc.RootElement.GetProperty("error").GetString());
            }

            if (type == 1 && doc.RootElement.GetProperty("target").GetString() == "events")
            {
                AddGiftSeqs(seen, doc.RootElement.GetProperty("arguments")[0].EnumerateArray());
            }
        }

        return (seen, null);
    }

    private static async Task<(HashSet<long> Seen, string? CloseError)> ReadUntilCloseAsync(RawMessagePackSocket slow, CancellationToken ct)
    {
        var outcome = await slow.ReadOutcomeAsync("never", ct);
        var seen = new HashSet<long>();
        AddGiftSeqs(seen, slow.Events.Select(e => JsonSerializer.Deserialize<JsonElement>(e)));
        if (outcome.Kind != HubOutcomeKind.Closed)
        {
            return (seen, null);
        }

        Assert.True(slow.CloseAllowsReconnect);
        return (seen, outcome.Text);
    }

    private static void AddGiftSeqs(HashSet<long> seen, IEnumerable<JsonElement> events)
    {
        foreach (var e in events)
        {
            if (e.GetProperty("lane").GetString() == Lane.Gift)
            {
                seen.Add(e.GetProperty("seq").GetInt64());
            }
        }
    }

    private static byte[] Chat(string room, long id, string text) => RoomEventJson.Serialize(new RoomEvent
    {
        RoomId = room, Id = id, Lane = Lane.Chat, Type = RoomEventTypes.Chat, Text = text,
        From = new EventSender("u" + (id % 50), "U", Roles.Viewer), ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    });

    private static byte[] Like(string room, long id, int count) => RoomEventJson.Serialize(new RoomEvent
    {
        RoomId = room, Id = id, Lane = Lane.Like, Type = RoomEventTypes.Likes, Likes = count,
        From = new EventSender("u" + (id % 50), "U", Roles.Viewer), ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    });

    private static async Task<Metrics> MetricsAsync(Uri gateway)
    {
        using var http = new HttpClient();
        return new Metrics(await http.GetStringAsync(new Uri(gateway, "/metrics")));
    }

    private sealed record Metrics(string Text)
    {
        private readonly GatewayMetrics _parsed = new(Text);

        public double Get(string name, string? lane = null) => _parsed.Get(name, lane is null ? null : $"lane=\"{lane}\"");

        public double Writers(string path) => _parsed.Get("liveim_gateway_connection_writers_total", $"path=\"{path}\"");
    }
}
