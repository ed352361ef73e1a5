using System.Text.Json;
using LiveIm.Client;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Serialization;
using LiveIm.Hosting.Redis;
using LiveIm.Nats;
using LiveIm.RoomService.Stores;
using Xunit;
using Xunit.Abstractions;
using StackExchange.Redis;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Who may move a room's stream clock, what a report may say, what the replay API accepts, and what events carry
/// without a clock: every refusal is coded and leaves the clock exactly as it was.
/// </summary>
[Collection(StreamClockCollection.Name)]
public sealed class StreamClockInputTests
{
    private readonly StreamClockCluster _cluster;
    private readonly ITestOutputHelper _output;

    public StreamClockInputTests(StreamClockCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task Clock_reports_by_anybody_but_the_rooms_streamer_get_forbidden_and_do_not_move_the_clock()
    {
        var room = NewId("roles");
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await streamer.ReportStreamClockAsync(1000);
        var before = await _cluster.ClockOf(room);
        Assert.NotNull(before);
        _cluster.Clock.Advance(500);

        var callers = new (string Who, string? Token, string Expected)[]
        {
            ("viewer", _cluster.Token(NewId("fan")), "forbidden"),
            ("moderator of the room", _cluster.Token(NewId("mod"), Roles.Moderator, room), "forbidden"),
            ("streamer of another room", _cluster.Token(NewId("other"), Roles.Streamer, NewId("elsewhere")), "forbidden"),
            ("anonymous", null, "unauthorized"),
        };
        foreach (var (who, token, expected) in callers)
        {
            await using var client = await _cluster.ConnectAsync(1, token);
            await client.JoinRoomAsync(room);
            var refused = await Assert.ThrowsAsync<RoomClientException>(() => client.ReportStreamClockAsync(1500));
            _output.WriteLine($"{who}: {refused.Message}");
            Assert.Equal(expected, refused.Code);
        }

        // The room's streamer, before joining: no room to report for.
        await using (var notJoined = await _cluster.ConnectAsync(1, _cluster.Token(NewId("host2"), Roles.Streamer, room)))
        {
            Assert.Equal("not_joined", (await Assert.ThrowsAsync<RoomClientException>(() => notJoined.ReportStreamClockAsync(1500))).Code);
        }

        // A forged bus request (a gateway bug, a rogue process on the bus): RoomService checks the role itself.
        await using var bus = new NatsConnection(new NatsOptions { Servers = [_cluster.Nats.Url], Name = "test-clock-forger" });
        await bus.ConnectAsync();
        foreach (var role in new[] { Roles.Viewer, Roles.Moderator })
        {
            var request = new ClockRequest(room, new EventSender("forger", "F", role), 1500);
            var raw = await bus.RequestAsync(Subjects.Clock, JsonSerializer.SerializeToUtf8Bytes(request, LiveImJson.Default.ClockRequest), TimeSpan.FromSeconds(5));
            var reply = JsonSerializer.Deserialize(raw.Data.Span, LiveImJson.Default.BusReplyClockReply)!;
            Assert.Equal("forbidden", reply.Error?.Code);
        }

        Assert.Equal(before, await _cluster.ClockOf(room));
        Assert.False((await streamer.ReportStreamClockAsync(1500)).NewEpoch); // and the streamer still may
    }

    [Fact]
    public async Task Absurd_clock_values_get_invalid_argument_and_do_not_move_the_clock()
    {
        var room = NewId("absurd");
        var token = _cluster.Token(NewId("host"), Roles.Streamer, room);
        await using var streamer = await _cluster.ConnectAsync(0, token);
        await streamer.JoinRoomAsync(room);
        await streamer.ReportStreamClockAsync(60_000);
        var before = await _cluster.ClockOf(room);
        _cluster.Clock.Advance(700);

        // Through the hub, as raw frames: what a hostile client can put in the arguments array.
        await using var raw = new RawHubSocket();
        await raw.ConnectAsync(_cluster.Gateways[0], token);
        await raw.JoinAsync(room);
        var frames = new[]
        {
            "[-1]", "[2592000001]", "[9223372036854775807]", "[-9223372036854775808]", "[1.5]", "[1e3]", "[\"NaN\"]",
            "[\"60000\"]", "[null]", "[true]", "[{}]", "[[]]", "[]", "[60700,1]", "[1e400]", "[99999999999999999999999]",
        };
        foreach (var args in frames)
        {
            var outcome = await raw.InvokeAsync("ReportStreamClock", args);
            _output.WriteLine($"ReportStreamClock({args}) -> {outcome}");
            Assert.Equal(HubOutcomeKind.Error, outcome.Kind);
            Assert.Equal("invalid_argument", outcome.Code);
        }

        // Over HTTP, as a media server might send them.
        var bodies = new[]
        {
            "{\"streamMs\":-1}", "{\"streamMs\":2592000001}", "{\"streamMs\":1.5}", "{\"streamMs\":1e3}", "{\"streamMs\":\"60000\"}",
            "{\"streamMs\":NaN}", "{\"streamMs\":null}", "{\"streamMs\":99999999999999999999}", "{}", "{\"streamMs\":60700,\"streamMs\":60700}",
            "{\"streamMs\":60700,\"epoch\":9}", "{\"streamms\":60700}", "[60700]", "60700", "", "{", "\"x\"",
            "{\"streamMs\":" + new string('1', 2000) + "}",
        };
        foreach (var body in bodies)
        {
            var (status, answer) = await _cluster.PostClockAsync(room, body);
            _output.WriteLine($"POST {(body.Length > 40 ? body[..40] + "..." : body)} -> {status} {answer}");
            Assert.Equal(400, status);
            Assert.Equal("invalid_argument", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());
        }

        var (wrongType, _) = await _cluster.PostClockAsync(room, "{\"streamMs\":60700}", contentType: "text/plain");
        Assert.Equal(400, wrongType);

        Assert.Equal(before, await _cluster.ClockOf(room));

        // The same value, well formed, is accepted: nothing above was refused for its room or its moment.
        var (ok, accepted) = await _cluster.PostClockAsync(room, "{\"streamMs\":60700}");
        Assert.Equal(200, ok);
        Assert.False(JsonDocument.Parse(accepted).RootElement.GetProperty("newEpoch").GetBoolean());
    }

    [Fact]
    public async Task The_stream_clock_endpoint_wants_the_service_token_and_a_valid_room()
    {
        var room = NewId("auth");
        foreach (var (token, why) in new[]
        {
            ((string?)null, "no token"), ("wrong-token-0123456789", "a wrong token"), (LiveImCluster.AdminToken, "the admin token"),
        })
        {
            var (status, body) = await _cluster.PostClockAsync(room, "{\"streamMs\":1000}", token);
            _output.WriteLine($"{why}: {status} {body}");
            Assert.Equal(401, status);
            Assert.Equal("unauthorized", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }

        Assert.Null(await _cluster.ClockOf(room));
        foreach (var bad in new[] { "bad room", "a.b", new string('x', 65), "*", "room>" })
        {
            var (status, body) = await _cluster.PostClockAsync(bad, "{\"streamMs\":1000}");
            Assert.Equal(400, status);
            Assert.Equal("invalid_room", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task Hostile_replay_parameters_get_400_with_a_coded_body()
    {
        var room = NewId("replayq");
        var cases = new[]
        {
            "", "epoch=0", "epoch=-1", "epoch=abc", "epoch=1.5", "epoch=1&epoch=2", "epoch=99999999999999999999",
            "epoch=1&fromMs=-5", "epoch=1&fromMs=1e3", "epoch=1&fromMs=10&toMs=9", "epoch=1&toMs=", "epoch=1&limit=0",
            "epoch=1&limit=1001", "epoch=1&limit=-1", "epoch=1&cursor=", "epoch=1&cursor=%%%", "epoch=1&cursor=bm90IGEgY3Vyc29y",
            "epoch=1&lane=video", "epoch=1&lane=chat,", "epoch=1&lane=CHAT", "epoch=1&from=0", "epoch=1&fromMs=%2B5",
            "epoch=1&fromMs=%205",
        };
        foreach (var query in cases)
        {
            var (status, body) = await _cluster.GetReplayAsync(room, query);
            _output.WriteLine($"?{query} -> {status} {body}");
            Assert.Equal(400, status);
            var error = JsonDocument.Parse(body).RootElement;
            Assert.Equal("invalid_argument", error.GetProperty("error").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        }

        // A cursor is bound to its epoch.
        var cursor = LiveIm.RoomService.Replay.ReplayCursor.Encode(7, 123);
        Assert.Equal(400, (await _cluster.GetReplayAsync(room, "epoch=8&cursor=" + cursor)).Status);
        Assert.Equal(200, (await _cluster.GetReplayAsync(room, "epoch=7&cursor=" + cursor)).Status);

        var (badRoom, answer) = await _cluster.GetReplayAsync("bad%20room", "epoch=1");
        Assert.Equal(400, badRoom);
        Assert.Equal("invalid_room", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());

        // Well formed but empty: 200 with no events and no cursor (the epoch does not exist, or holds nothing there).
        var (ok, empty) = await _cluster.GetReplayAsync(room, "epoch=1&fromMs=0&toMs=9223372036854775807&limit=1000&lane=chat&lane=gift,like");
        Assert.Equal(200, ok);
        Assert.Equal(0, JsonDocument.Parse(empty).RootElement.GetProperty("events").GetArrayLength());
    }

    [Fact]
    public async Task Without_a_clock_or_with_a_stale_one_events_carry_no_stream_time_and_are_not_stored_for_replay()
    {
        var room = NewId("noclock");
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        var received = new EventCollector(streamer);

        var unclocked = (await streamer.SendChatAsync("before any report")).Id;
        var first = await streamer.ReportStreamClockAsync(10_000);
        var clocked = (await streamer.SendChatAsync("with a clock")).Id;

        // Five minutes and a millisecond without a report (StreamClock:StaleAfter): the clock is stale.
        _cluster.Clock.Advance((5 * 60 * 1000) + 1);
        var stale = (await streamer.SendChatAsync("stale")).Id;

        // The stream carried on meanwhile: a report where it should be keeps the epoch, and stamps resume.
        var resumed = await streamer.ReportStreamClockAsync(10_000 + (5 * 60 * 1000) + 1);
        Assert.Equal(first.Epoch, resumed.Epoch);
        Assert.False(resumed.NewEpoch);
        var again = (await streamer.SendChatAsync("clocked again")).Id;

        await received.WaitForAsync(events => events.Any(e => e.Id == again), "the events come back to the sender's room");
        var byId = received.Events.Where(e => e.Id > 0).ToDictionary(e => e.Id);
        Assert.Equal((null, null), (byId[unclocked].StreamTs, byId[unclocked].StreamEpoch));
        Assert.Equal((null, null), (byId[stale].StreamTs, byId[stale].StreamEpoch));
        Assert.Equal((10_000L, first.Epoch), (byId[clocked].StreamTs!.Value, byId[clocked].StreamEpoch!.Value));
        Assert.Equal(10_000L + (5 * 60 * 1000) + 1, byId[again].StreamTs);

        var (status, body) = await _cluster.GetReplayAsync(room, $"epoch={first.Epoch}");
        Assert.Equal(200, status);
        var page = JsonSerializer.Deserialize(body, LiveImJson.Default.ReplayPage)!;
        Assert.Equal([clocked, again], page.Events.Select(e => e.Id).ToArray());
        Assert.Null(page.NextCursor);

        // Without a clock the replay store holds nothing: one key per epoch, and only the clocked epoch exists.
        var keys = ((RedisResult[])(await _cluster.RedisCommands.ExecuteAsync("KEYS", RedisKeys.ReplayPrefix(room) + "*"))!)
            .Select(k => (string?)k ?? string.Empty).ToArray();
        Assert.Equal([RedisKeys.Replay(room, first.Epoch)], keys);
        Assert.Equal(RoomEventTypes.Chat, page.Events[0].Type);
    }
}
