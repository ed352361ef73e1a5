using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Client.Replay;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Stores;
using LiveIm.Testing;
using StackExchange.Redis;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The whole system (RoomService, three gateways, NATS) on a real three-master Redis Cluster: chat, gifts with an
/// idempotent retry, likes, a join that resumes, moderation, the shared limits, presence and online counts,
/// assignment, the stream clock and replay. Every call a client makes must succeed as on one server: a script whose
/// keys were in two slots would fail (CROSSSLOT, or the client's own single-slot check), and a MOVED not followed
/// would reach the caller as an error.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterTests
{
    private readonly RedisClusterSystem _system;

    public RedisClusterTests(RedisClusterSystem system)
    {
        _system = system;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Chat_gifts_with_a_retry_likes_and_a_resumed_join_work_on_a_Redis_Cluster()
    {
        var room = NewId("rc");
        await using var streamer = await _system.ConnectAsync(0, _system.Token(NewId("host"), Roles.Streamer, room));
        await using var viewer = await _system.ConnectAsync(1, _system.Token(NewId("fan")));
        var seen = new EventCollector(viewer);
        await streamer.JoinRoomAsync(room);
        await viewer.JoinRoomAsync(room);

        var chat = await viewer.SendChatAsync("hello cluster");
        Assert.Equal("ok", chat.Status);
        var first = await streamer.SendGiftAsync("rose", 2, "g1");
        var retry = await streamer.SendGiftAsync("rose", 2, "g1");
        var second = await streamer.SendGiftAsync("rose", 1, "g2");
        Assert.Equal((1L, "ok"), (first.Seq, first.Status));
        Assert.Equal((first.Id, 1L, "duplicate"), (retry.Id, retry.Seq, retry.Status));
        Assert.Equal(2L, second.Seq);
        Assert.Equal("ok", (await viewer.SendLikeAsync(3)).Status);
        await seen.WaitForAsync(
            events => events.Any(e => e.Id == chat.Id) && events.Count(e => e.Type == RoomEventTypes.Gift) == 2 && events.Any(e => e.Type == RoomEventTypes.Likes),
            "the viewer on another gateway sees the chat line, both gifts once and the likes");

        // A viewer who saw nothing resumes from seq 0 on the third gateway: the history (a sorted set in the room's
        // slot) gives it both gifts.
        await using var late = await _system.ConnectAsync(2, _system.Token(NewId("late")));
        var lateSeen = new EventCollector(late);
        var joined = await late.ResumeAsync(room, 0);
        Assert.Equal((2L, true), (joined.Seq, joined.Recovered));
        await lateSeen.WaitForAsync(events => events.Where(e => e.Type == RoomEventTypes.Gift).Select(e => e.Seq).SequenceEqual([1L, 2L]), "the resume replays seq 1 and 2");

        // The data really is spread over the masters (room, user, gateway and presence keys hash to different slots).
        var nodesWithKeys = 0;
        foreach (var node in _system.Cluster.Nodes)
        {
            var keys = long.Parse((await RedisCluster.RunCliAsync(["-p", node.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "DBSIZE"])).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            nodesWithKeys += keys > 0 ? 1 : 0;
        }

        Assert.True(nodesWithKeys >= 2, $"keys on {nodesWithKeys} of 3 masters");
    }

    [Fact]
    public async Task Moderation_and_the_shared_user_limit_work_on_a_Redis_Cluster()
    {
        var room = NewId("rcmod");
        var troll = NewId("troll");
        await using var moderator = await _system.ConnectAsync(0, _system.Token(NewId("mod"), Roles.Moderator, room));
        await using var viewer = await _system.ConnectAsync(1, _system.Token(troll));
        await moderator.JoinRoomAsync(room);
        await viewer.JoinRoomAsync(room);

        // The per-user chat rate ({user:<id>} slot): a burst of 5, then rate_limited.
        for (var i = 0; i < 5; i++)
        {
            await viewer.SendChatAsync("line " + i);
        }

        var limited = await Assert.ThrowsAsync<RoomClientException>(() => viewer.SendChatAsync("one too many"));
        Assert.Equal("rate_limited", limited.Code);

        await moderator.MuteAsync(troll, 60);
        await Task.Delay(600); // a token back in the user's budget: the refusal below is the mute's
        Assert.Equal("muted", (await Assert.ThrowsAsync<RoomClientException>(() => viewer.SendChatAsync("still here"))).Code);
        var ban = await moderator.BanAsync(troll);
        Assert.True(ban.Seq > 0);

        // The ban closes the user's connection; a fresh one is refused at the door of the room (the ban set).
        await using var again = await _system.ConnectAsync(2, _system.Token(troll));
        Assert.Equal("banned", (await Assert.ThrowsAsync<RoomClientException>(() => again.JoinRoomAsync(room))).Code);
    }

    [Fact]
    public async Task Presence_online_counts_and_assignment_work_on_a_Redis_Cluster()
    {
        var room = NewId("rcpres");
        await using var a = await _system.ConnectAsync(0, _system.Token(NewId("a")));
        await using var b = await _system.ConnectAsync(1, _system.Token(NewId("b")));
        var seen = new EventCollector(a);
        await a.JoinRoomAsync(room);
        await b.JoinRoomAsync(room);

        await seen.WaitForAsync(events => events.Any(e => e.Type == RoomEventTypes.Online && e.Online == 2), "the room's online count reaches 2", seconds: 10);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var info = JsonDocument.Parse(await http.GetStringAsync(new Uri(_system.RoomServiceUrl, "/api/rooms/" + room)));
        Assert.Equal((2, 2), (info.RootElement.GetProperty("online").GetInt64(), info.RootElement.GetProperty("gateways").GetInt32()));

        using var assigned = await http.GetAsync(new Uri(_system.RoomServiceUrl, "/api/gateways/assign?roomId=" + room));
        Assert.Equal(200, (int)assigned.StatusCode);
        var url = (await assigned.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString();
        Assert.Contains(new Uri(url!), _system.Gateways);
    }

    [Fact]
    public async Task The_stream_clock_stamps_events_and_replay_reads_them_back_on_a_Redis_Cluster()
    {
        var room = NewId("rcclock");
        await using var streamer = await _system.ConnectAsync(0, _system.Token(NewId("host"), Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var epoch = await ReportClockAsync(http, room, 0);

        var chat = await streamer.SendChatAsync("at the start");
        var gift = await streamer.SendGiftAsync("rose", 1, "c1");
        var like = await streamer.SendLikeAsync(1);

        var events = await new ReplayClient(http, _system.RoomServiceUrl, room, pageSize: 2).FetchAsync(epoch, 0, long.MaxValue, CancellationToken.None);
        Assert.Equal(new[] { chat.Id, gift.Id, like.Id }.Order(), events.Select(e => e.Id).Order());
        Assert.All(events, e => Assert.Equal(epoch, e.StreamEpoch));

        // The stream restarts (a jump far beyond any jitter): a new epoch, and the next events go to its replay set.
        var next = await ReportClockAsync(http, room, 50_000_000);
        Assert.True(next > epoch);
        var after = await streamer.SendChatAsync("after the restart");
        var replayed = await new ReplayClient(http, _system.RoomServiceUrl, room).FetchAsync(next, 0, long.MaxValue, CancellationToken.None);
        Assert.Equal([after.Id], replayed.Select(e => e.Id));
    }

    [Fact]
    public async Task A_store_that_did_not_see_the_clock_report_learns_the_epoch_from_the_script_and_stores_replay_under_it()
    {
        var room = NewId("rcepoch");
        await using var reporter = await TestRedis.ConnectAsync(_system.Cluster.Configuration, "reporter");
        await using var other = await TestRedis.ConnectAsync(_system.Cluster.Configuration, "other-instance");
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var clock = await TestRedis.Store(reporter).ReportClockAsync(room, 1000, now, CancellationToken.None);

        // Another RoomService instance has never seen this room: it expects epoch 0, the script answers "moved", the
        // store calls again with the right replay set. Twice, to show the second call needs no correction.
        var store = TestRedis.Store(other);
        for (var i = 0; i < 2; i++)
        {
            var e = new RoomEvent { RoomId = room, Lane = Lane.Like, Type = RoomEventTypes.Likes, From = new EventSender("u", "U", Roles.Viewer), Likes = 1, ServerTs = now };
            var like = await store.AppendLikeAsync(room, "u", false, EventDraft.Of(e), now + 10, CancellationToken.None);
            Assert.Equal(clock.Epoch, RoomEventJson.Deserialize(like!.Json).StreamEpoch);
        }

        var slice = await store.ReadReplayAsync(room, clock.Epoch, 0, long.MaxValue, null, 10, null, CancellationToken.None);
        Assert.Equal(2, slice.Events.Count);
        var db = other.Multiplexer!.GetDatabase();
        Assert.False(await db.KeyExistsAsync(RedisKeys.Replay(room, 0))); // nothing was written under the wrong epoch
    }

    private async Task<long> ReportClockAsync(HttpClient http, string room, long streamMs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_system.RoomServiceUrl, $"/api/rooms/{room}/stream-clock"))
        {
            Content = new StringContent($"{{\"streamMs\":{streamMs}}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LiveImCluster.ServiceToken);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("epoch").GetInt64();
    }
}
