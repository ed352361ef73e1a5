using System.Globalization;
using System.Text;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Serialization;
using LiveIm.Nats;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Moderation end to end: the hub methods, RoomService's own checks, the state in Redis, each action as a reliable
/// system event, and bans closing connections on every gateway.
/// </summary>
[Collection(SharedLimitsCollection.Name)]
public sealed class ModerationTests
{
    private readonly SharedLimitsCluster _cluster;
    private readonly ITestOutputHelper _output;

    public ModerationTests(SharedLimitsCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_muted_user_gets_muted_until_the_mute_ends_or_is_lifted_while_others_chat_and_gifts_still_go()
    {
        var room = NewId("mute");
        var (victimId, modId) = (NewId("victim"), NewId("mod"));
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var mod = await _cluster.ConnectAsync(1, _cluster.Token(modId, Roles.Moderator, room));
        await mod.JoinRoomAsync(room);
        await using var victim = await _cluster.ConnectAsync(2, _cluster.Token(victimId));
        await victim.JoinRoomAsync(room);
        await using var bystander = await _cluster.ConnectAsync(0, _cluster.Token(NewId("bystander")));
        await bystander.JoinRoomAsync(room);

        await mod.MuteAsync(victimId, 600);
        var muted = await Assert.ThrowsAsync<RoomClientException>(() => victim.SendChatAsync("let me speak"));
        _output.WriteLine(muted.Message);
        Assert.Equal("muted", muted.Code);
        var until = UntilOf(muted.Message);
        Assert.InRange(until - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 590_000, 600_000);
        Assert.Equal("ok", (await victim.SendGiftAsync("rose", 1, "paid")).Status); // a mute silences text, not gifts
        Assert.Equal("ok", (await bystander.SendChatAsync("others chat as before")).Status);

        await mod.UnmuteAsync(victimId);
        Assert.Equal("ok", (await victim.SendChatAsync("unmuted")).Status);

        // A short mute ends by itself.
        await mod.MuteAsync(victimId, 1);
        var shortMute = await Assert.ThrowsAsync<RoomClientException>(() => victim.SendChatAsync("again?"));
        Assert.Equal("muted", shortMute.Code);
        var wait = UntilOf(shortMute.Message) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, wait) + 50));
        Assert.Equal("ok", (await victim.SendChatAsync("the mute expired")).Status);

        await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == 3, "the three admitted lines");
        Assert.Equal(["others chat as before", "unmuted", "the mute expired"], received.OfType(RoomEventTypes.Chat).Select(e => e.Text));
        var actions = received.Events.Where(e => e.Lane == Lane.System && e.Type != RoomEventTypes.Online).ToList();
        Assert.Equal([RoomEventTypes.Mute, RoomEventTypes.Unmute, RoomEventTypes.Mute], actions.Select(e => e.Type));
        Assert.All(actions, e => Assert.Equal((victimId, modId, Roles.Moderator), (e.Moderation!.UserId, e.From!.UserId, e.From.Role)));
        Assert.Equal((600, until), (actions[0].Moderation!.Seconds, actions[0].Moderation!.Until));
        Assert.Single(received.OfType(RoomEventTypes.Gift));
    }

    [Fact]
    public async Task A_ban_closes_the_users_connections_in_the_room_on_every_gateway_and_refuses_rejoins_until_unbanned()
    {
        var (room, elsewhere) = (NewId("ban"), NewId("elsewhere"));
        var trollId = NewId("troll");
        await using var watcher = await _cluster.ConnectAsync(2);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var host = await _cluster.ConnectAsync(2, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        var onA = await _cluster.ConnectAsync(0, _cluster.Token(trollId));
        var onB = await _cluster.ConnectAsync(1, _cluster.Token(trollId));
        await using var inOtherRoom = await _cluster.ConnectAsync(0, _cluster.Token(trollId));
        var closedA = ClosedReason(onA);
        var closedB = ClosedReason(onB);
        await onA.JoinRoomAsync(room);
        await onB.JoinRoomAsync(room);
        await inOtherRoom.JoinRoomAsync(elsewhere);
        await onA.SendChatAsync("before the ban");

        try
        {
            var ban = await host.BanAsync(trollId);
            var reasons = await Task.WhenAll(closedA, closedB).WaitAsync(TimeSpan.FromSeconds(10));
            foreach (var reason in reasons)
            {
                _output.WriteLine(reason?.Message ?? "<no reason>");
                Assert.StartsWith("banned: ", reason?.Message, StringComparison.Ordinal);
            }

            await received.WaitForAsync(e => e.Any(x => x.Type == RoomEventTypes.Ban), "the room sees the ban");
            var banEvent = received.OfType(RoomEventTypes.Ban).Single();
            Assert.Equal((ban.Seq, trollId), (banEvent.Seq, banEvent.Moderation!.UserId));

            // The ban is of this room only; the same user elsewhere is untouched.
            Assert.Equal("ok", (await inOtherRoom.SendChatAsync("still here")).Status);
            var rejoin = await Assert.ThrowsAsync<RoomClientException>(() => inOtherRoom.JoinRoomAsync(room));
            Assert.Equal("banned", rejoin.Code);
            await using (var fresh = await _cluster.ConnectAsync(1, _cluster.Token(trollId)))
            {
                Assert.Equal("banned", (await Assert.ThrowsAsync<RoomClientException>(() => fresh.JoinRoomAsync(room))).Code);
            }

            await host.UnbanAsync(trollId);
            await using var back = await _cluster.ConnectAsync(1, _cluster.Token(trollId));
            await back.JoinRoomAsync(room);
            Assert.Equal("ok", (await back.SendChatAsync("back again")).Status);
            await received.WaitForAsync(e => e.Any(x => x.Text == "back again"), "the unbanned user's line");
            Assert.Equal(["before the ban", "back again"], received.OfType(RoomEventTypes.Chat).Select(e => e.Text));
        }
        finally
        {
            await onA.DisposeAsync();
            await onB.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_streamer_or_moderator_of_the_room_is_never_muted_or_banned_by_their_user_id()
    {
        var room = NewId("immune");
        var (hostId, modId) = (NewId("host"), NewId("mod"));
        await using var host = await _cluster.ConnectAsync(0, _cluster.Token(hostId, Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        await using var mod = await _cluster.ConnectAsync(1, _cluster.Token(modId, Roles.Moderator, room));
        var modClosed = ClosedReason(mod);
        var modReceived = new EventCollector(mod);
        await mod.JoinRoomAsync(room);

        await host.MuteAsync(modId, 600);
        await host.BanAsync(modId);
        await modReceived.WaitForAsync(e => e.Any(x => x.Type == RoomEventTypes.Ban), "the moderator sees its own ban event");
        Assert.Equal("ok", (await mod.SendChatAsync("a signed moderator token outranks the ban")).Status);
        await mod.JoinRoomAsync(room); // a round trip after the ban's tick: a close would have come before its reply
        Assert.False(modClosed.IsCompleted);

        // The same user id with a plain viewer token is banned.
        await using var asViewer = await _cluster.ConnectAsync(2, _cluster.Token(modId));
        Assert.Equal("banned", (await Assert.ThrowsAsync<RoomClientException>(() => asViewer.JoinRoomAsync(room))).Code);
    }

    [Fact]
    public async Task Only_the_rooms_streamer_and_moderators_may_moderate_it_and_RoomService_checks_again()
    {
        var (room, otherRoom) = (NewId("forbid"), NewId("theirs"));
        await using var viewer = await _cluster.ConnectAsync(0, _cluster.Token(NewId("viewer")));
        await viewer.JoinRoomAsync(room);
        await using var visitingStreamer = await _cluster.ConnectAsync(1, _cluster.Token(NewId("star"), Roles.Streamer, otherRoom));
        await visitingStreamer.JoinRoomAsync(room);
        await using var anonymous = await _cluster.ConnectAsync(2);
        await anonymous.JoinRoomAsync(room);
        await using var notJoined = await _cluster.ConnectAsync(2, _cluster.Token(NewId("mod"), Roles.Moderator, room));

        var cases = new (string What, Func<Task> Call, string Code)[]
        {
            ("viewer mutes", () => viewer.MuteAsync("someone", 60), "forbidden"),
            ("viewer bans", () => viewer.BanAsync("someone"), "forbidden"),
            ("viewer slow mode", () => viewer.SetSlowModeAsync(5), "forbidden"),
            ("viewer deletes", () => viewer.DeleteMessageAsync(1), "forbidden"),
            ("streamer of another room bans", () => visitingStreamer.BanAsync("someone"), "forbidden"),
            ("streamer of another room unmutes", () => visitingStreamer.UnmuteAsync("someone"), "forbidden"),
            ("anonymous", () => anonymous.BanAsync("someone"), "unauthorized"),
            ("moderator not joined", () => notJoined.BanAsync("someone"), "not_joined"),
        };
        foreach (var (what, call, code) in cases)
        {
            var error = await Assert.ThrowsAsync<RoomClientException>(call);
            _output.WriteLine($"{what}: {error.Message}");
            Assert.Equal(code, error.Code);
        }

        // A forged bus request that claims the viewer role is refused by RoomService itself.
        await using var bus = new NatsConnection(new NatsOptions { Servers = [_cluster.Nats.Url], Name = "test-forger" });
        await bus.ConnectAsync();
        var forged = await ModerateOnBusAsync(bus, new ModerateRequest(room, new EventSender("forger", "F", Roles.Viewer), RoomEventTypes.Ban, "someone"));
        Assert.Equal("forbidden", forged.Error?.Code);

        // Nothing was written: the room's reliable lane is empty, and "someone" may join.
        await using var someone = await _cluster.ConnectAsync(0, _cluster.Token("someone"));
        var joined = await someone.JoinRoomAsync(room, lastSeq: 0);
        Assert.Equal(0, joined.Seq);
    }

    [Fact]
    public async Task Hostile_moderation_arguments_are_invalid_argument_and_break_nothing()
    {
        var room = NewId("hostile-mod");
        var modId = NewId("mod");
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var mod = await _cluster.ConnectAsync(1, _cluster.Token(modId, Roles.Moderator, room));
        await mod.JoinRoomAsync(room);

        var cases = new (string What, Func<Task> Call)[]
        {
            ("empty user id", () => mod.MuteAsync("", 10)),
            ("blank user id", () => mod.BanAsync("   ")),
            ("10 KB user id", () => mod.BanAsync(new string('u', 10 * 1024))),
            ("129 characters", () => mod.UnbanAsync(new string('u', 129))),
            ("control character", () => mod.MuteAsync("a\u0000b", 10)),
            ("themselves", () => mod.BanAsync(modId)),
            ("mute 0 s", () => mod.MuteAsync("u1", 0)),
            ("mute negative", () => mod.MuteAsync("u1", -1)),
            ("mute a week and a second", () => mod.MuteAsync("u1", (7 * 24 * 3600) + 1)),
            ("mute int.MaxValue", () => mod.MuteAsync("u1", int.MaxValue)),
            ("mute int.MinValue", () => mod.MuteAsync("u1", int.MinValue)),
            ("slow mode negative", () => mod.SetSlowModeAsync(-1)),
            ("slow mode over an hour", () => mod.SetSlowModeAsync(3601)),
            ("delete 0", () => mod.DeleteMessageAsync(0)),
            ("delete negative", () => mod.DeleteMessageAsync(-5)),
            ("delete an id the room never gave out", () => mod.DeleteMessageAsync(long.MaxValue)),
        };
        foreach (var (what, call) in cases)
        {
            var error = await Record.ExceptionAsync(call);
            Assert.True(error is not null, $"{what}: no error");
            var message = error.Message;
            _output.WriteLine($"{what}: {(message.Length > 160 ? message[..160] + "..." : message)}");
            Assert.True(message.StartsWith("invalid_argument:", StringComparison.Ordinal), $"{what}: got '{message}'");
        }

        // Arguments no typed client sends, written as raw frames by the same moderator, joined.
        await using var hub = new RawHubSocket();
        await hub.ConnectAsync(_cluster.Gateways[1], _cluster.Token(modId, Roles.Moderator, room));
        await hub.JoinAsync(room);
        var rawCases = new (string What, string Target, string Arguments)[]
        {
            ("seconds as a string NaN", "Mute", "[\"u1\",\"NaN\"]"),
            ("seconds as Infinity", "SetSlowMode", "[\"Infinity\"]"),
            ("fractional seconds", "Mute", "[\"u1\",1.5]"),
            ("seconds beyond int", "Mute", "[\"u1\",1e300]"),
            ("null user id", "Ban", "[null]"),
            ("numeric user id", "Ban", "[123]"),
            ("array user id", "Unmute", "[[\"a\",\"b\"]]"),
            ("id as a string", "DeleteMessage", "[\"1\"]"),
            ("missing argument", "Mute", "[\"u1\"]"),
            ("extra argument", "SetSlowMode", "[1,2]"),
        };
        foreach (var (what, target, arguments) in rawCases)
        {
            var outcome = await hub.InvokeAsync(target, arguments);
            _output.WriteLine($"{what}: {outcome}");
            Assert.True(outcome.Kind == HubOutcomeKind.Error && outcome.Code == "invalid_argument", $"{what}: got {outcome}");
        }

        // RoomService validates on its own, whatever reaches the bus.
        await using var bus = new NatsConnection(new NatsOptions { Servers = [_cluster.Nats.Url], Name = "test-hostile" });
        await bus.ConnectAsync();
        var from = new EventSender(modId, "M", Roles.Moderator);
        var busCases = new[]
        {
            new ModerateRequest(room, from, "drop_room", "u1"),
            new ModerateRequest(room, from, RoomEventTypes.Mute, "u1", -5),
            new ModerateRequest(room, from, RoomEventTypes.Mute, "u1"),
            new ModerateRequest(room, from, RoomEventTypes.Ban, new string('x', 10 * 1024)),
            new ModerateRequest(room, from, RoomEventTypes.Ban, "u1", Seconds: 5),
            new ModerateRequest(room, from, RoomEventTypes.SlowMode, Seconds: 100_000),
            new ModerateRequest(room, from, RoomEventTypes.Delete, MessageId: -1),
        };
        foreach (var request in busCases)
        {
            var reply = await ModerateOnBusAsync(bus, request);
            Assert.Equal("invalid_argument", reply.Error?.Code);
        }

        // A frame the JSON protocol cannot parse (a bare NaN) closes only that connection.
        await using var rude = new RawHubSocket();
        await rude.ConnectAsync(_cluster.Gateways[2], _cluster.Token(NewId("rude"), Roles.Moderator, room));
        await rude.JoinAsync(room);
        await rude.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"9\",\"target\":\"Mute\",\"arguments\":[\"u1\",NaN]}\u001e"));
        var rudeClosed = await rude.ReadOutcomeAsync(null).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(rudeClosed.Kind == HubOutcomeKind.Closed && rudeClosed.Code == "invalid_frame", $"the rude connection is closed with invalid_frame, got {rudeClosed}");

        // Nothing was written, and the room works: a valid action and a chat line go through.
        var mute = await mod.MuteAsync("u1", 60);
        Assert.Equal(1, mute.Seq);
        Assert.Equal("ok", (await mod.SendChatAsync("all fine")).Status);
        await received.WaitForAsync(e => e.Any(x => x.Text == "all fine"), "the chat line after the attack");
        Assert.Equal([RoomEventTypes.Mute], received.Events.Where(e => e.Lane == Lane.System && e.Seq is not null).Select(e => e.Type));
    }

    [Fact]
    public async Task Every_action_is_a_reliable_system_event_recovered_by_a_resume_with_lastSeq()
    {
        var room = NewId("resume-mod");
        await using var host = await _cluster.ConnectAsync(0, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        var line = await host.SendChatAsync("a line to delete");

        var results = new List<ModerationResult>
        {
            await host.SetSlowModeAsync(5),
            await host.MuteAsync("u1", 30),
            await host.UnmuteAsync("u1"),
            await host.BanAsync("u2"),
            await host.UnbanAsync("u2"),
            await host.DeleteMessageAsync(line.Id),
            await host.SetSlowModeAsync(0),
        };
        Assert.Equal(Enumerable.Range(1, 7).Select(s => (long)s), results.Select(r => r.Seq));
        Assert.True(results.Select(r => r.Id).SequenceEqual(results.Select(r => r.Id).Order()) && results[0].Id > line.Id);

        // A client that saw seq 2 and reconnects gets 3..7, in order, with their fields.
        await using var late = await _cluster.ConnectAsync(1);
        var received = new EventCollector(late);
        var joined = await late.JoinRoomAsync(room, lastSeq: 2);
        Assert.True(joined.Recovered);
        await received.WaitForAsync(e => e.Count(x => x.Seq is not null) == 5, "the five actions after seq 2");
        var events = received.Events.Where(e => e.Seq is not null).ToList();
        Assert.Equal(
            [RoomEventTypes.Unmute, RoomEventTypes.Ban, RoomEventTypes.Unban, RoomEventTypes.Delete, RoomEventTypes.SlowMode],
            events.Select(e => e.Type));
        Assert.Equal([3L, 4L, 5L, 6L, 7L], events.Select(e => e.Seq!.Value));
        Assert.All(events, e => Assert.Equal((Lane.System, Roles.Streamer), (e.Lane, e.From!.Role)));
        Assert.Equal(new ModerationInfo("u1"), events[0].Moderation);
        Assert.Equal(new ModerationInfo(MessageId: line.Id), events[3].Moderation);
        Assert.Equal(new ModerationInfo(Seconds: 0), events[4].Moderation);
    }

    private static long UntilOf(string message)
    {
        var at = message.LastIndexOf("until ", StringComparison.Ordinal);
        return long.Parse(message.AsSpan(at + "until ".Length).TrimEnd(), CultureInfo.InvariantCulture);
    }

    private static Task<Exception?> ClosedReason(RoomClient client)
    {
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Closed += reason =>
        {
            closed.TrySetResult(reason);
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static async Task<BusReply<ModerateReply>> ModerateOnBusAsync(NatsConnection bus, ModerateRequest request)
    {
        var reply = await bus.RequestAsync(Subjects.Moderate, JsonSerializer.SerializeToUtf8Bytes(request, LiveImJson.Default.ModerateRequest), TimeSpan.FromSeconds(5));
        return JsonSerializer.Deserialize(reply.Data.Span, LiveImJson.Default.BusReplyModerateReply)!;
    }
}
