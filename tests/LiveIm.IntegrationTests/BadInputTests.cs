using System.Text;
using LiveIm.Client;
using LiveIm.Core.Identity;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>Bad input gets a stable error code, and a viewer next to the offender keeps receiving.</summary>
[Collection(ClusterCollection.Name)]
public sealed class BadInputTests
{
    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;

    public BadInputTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    public static TheoryData<string> BadRoomIds() => new()
    {
        "", "a.b", "*", ">", "room.>", "a b", " lead", "tab\troom", "new\nline", "ünïcode", "a/b", "a:b",
        new string('x', 65), new string('y', 10 * 1024), "liveim.room.x",
    };

    [Theory]
    [MemberData(nameof(BadRoomIds))]
    public async Task A_bad_room_id_is_invalid_room(string roomId)
    {
        await using var client = await _cluster.ConnectAsync(0);
        var error = await Assert.ThrowsAsync<RoomClientException>(() => client.JoinRoomAsync(roomId));
        Assert.Equal("invalid_room", error.Code);
    }

    [Fact]
    public async Task A_null_room_id_is_invalid_room()
    {
        await using var socket = new RawHubSocket();
        await socket.ConnectAsync(_cluster.Gateways[0]);
        var outcome = await socket.InvokeAsync("JoinRoom", "[null,null]");
        Assert.Equal(HubOutcomeKind.Error, outcome.Kind);
        Assert.StartsWith("invalid_room:", outcome.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string> BadTexts() => new()
    {
        "", "   ", "\t\n", new string('a', 501), "bell\u0007", "nul\u0000byte", "esc\u001b[2J", "del\u007f", "c1\u0085inside", "zero\u200bwidth\u0001",
    };

    [Theory]
    [MemberData(nameof(BadTexts))]
    public async Task Bad_chat_text_is_invalid_argument(string text)
    {
        var room = "bad-text-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await _cluster.ConnectAsync(0, _cluster.Token("texter"));
        await client.JoinRoomAsync(room);
        var error = await Assert.ThrowsAsync<RoomClientException>(() => client.SendChatAsync(text));
        Assert.Equal("invalid_argument", error.Code);
    }

    [Fact]
    public async Task Text_of_exactly_500_characters_after_trimming_is_accepted()
    {
        var room = "edge-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await _cluster.ConnectAsync(0, _cluster.Token("edge"));
        await client.JoinRoomAsync(room);
        Assert.Equal("ok", (await client.SendChatAsync("  " + new string('é', 500) + "  ")).Status);
        Assert.Equal("ok", (await client.SendChatAsync("emoji 🎉 ok")).Status);
    }

    [Fact]
    public async Task Hostile_calls_get_stable_codes_while_a_neighbour_keeps_receiving()
    {
        var room = "hostile-" + Guid.NewGuid().ToString("N")[..8];
        await using var neighbour = await _cluster.ConnectAsync(0);
        var received = new EventCollector(neighbour);
        await neighbour.JoinRoomAsync(room);
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("host", Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await streamer.SendGiftAsync("rose", 1, "before-attack");

        await using var anonymous = await _cluster.ConnectAsync(0);
        await anonymous.JoinRoomAsync(room);
        await using var attacker = await _cluster.ConnectAsync(0, _cluster.Token("attacker"));
        var cases = new (string What, Func<Task> Call, string Code)[]
        {
            ("anonymous chat", () => anonymous.SendChatAsync("hi"), "unauthorized"),
            ("anonymous gift", () => anonymous.SendGiftAsync("rose", 1, "x"), "unauthorized"),
            ("chat before join", () => attacker.SendChatAsync("hi"), "not_joined"),
            ("negative lastSeq", () => attacker.JoinRoomAsync(room, -5), "invalid_argument"),
        };
        foreach (var (what, call, code) in cases)
        {
            var error = await Assert.ThrowsAsync<RoomClientException>(call);
            _output.WriteLine($"{what}: {error.Message}");
            Assert.True(error.Message.StartsWith(code + ":", StringComparison.Ordinal), $"{what}: expected {code}, got '{error.Message}'");
        }

        // What no typed client sends, written as raw frames by the same user.
        await using var hub = new RawHubSocket();
        await hub.ConnectAsync(_cluster.Gateways[0], _cluster.Token("attacker"));
        var rawCases = new (string What, string Target, string Arguments, string Code)[]
        {
            ("unknown method", "DropDatabase", "[]", "unknown_method"),
            ("wrong argument count", "JoinRoom", $"[\"{room}\"]", "invalid_argument"),
            ("wrong argument type", "JoinRoom", "[[1,2],\"seq\"]", "invalid_argument"),
        };
        foreach (var (what, target, arguments, code) in rawCases)
        {
            var outcome = await hub.InvokeAsync(target, arguments);
            _output.WriteLine($"{what}: {outcome}");
            Assert.True(outcome.Kind == HubOutcomeKind.Error && outcome.Code == code, $"{what}: expected {code}, got {outcome}");
        }

        await attacker.JoinRoomAsync(room);
        var joinedCases = new (string What, Func<Task> Call, string Code)[]
        {
            ("gift count zero", () => attacker.SendGiftAsync("rose", 0, "c0"), "invalid_argument"),
            ("gift count negative", () => attacker.SendGiftAsync("rose", -100, "c1"), "invalid_argument"),
            ("gift count absurd", () => attacker.SendGiftAsync("rose", int.MaxValue, "c2"), "invalid_argument"),
            ("gift id wildcard", () => attacker.SendGiftAsync("rose.>", 1, "c3"), "invalid_argument"),
            ("client id 10 KB", () => attacker.SendGiftAsync("rose", 1, new string('k', 10_000)), "invalid_argument"),
            ("likes negative", () => attacker.SendLikeAsync(-1), "invalid_argument"),
            ("likes absurd", () => attacker.SendLikeAsync(1_000_000), "invalid_argument"),
            ("viewer posing as moderator by text", () => attacker.SendChatAsync("\u0000"), "invalid_argument"),
        };
        foreach (var (what, call, code) in joinedCases)
        {
            var error = await Assert.ThrowsAsync<RoomClientException>(call);
            _output.WriteLine($"{what}: {error.Message}");
            Assert.Equal(code, error.Code);
        }

        // A frame the JSON protocol cannot parse closes only the offender's connection.
        await hub.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"SendChat\",\"arguments\":[\u001e"));
        var closed = await hub.ReadOutcomeAsync(null);
        Assert.True(closed.Kind == HubOutcomeKind.Closed && closed.Code == "invalid_frame", $"the offender is closed with invalid_frame, got {closed}");
        await streamer.SendGiftAsync("rose", 1, "after-attack");
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "the neighbour receives gifts before and after the attack");
        Assert.Equal(new long?[] { 1, 2 }, received.OfType("gift").Select(g => g.Seq).ToArray());
    }

    [Fact]
    public async Task A_streamer_token_for_another_room_acts_as_a_viewer_there()
    {
        var (own, other) = ("own-" + Guid.NewGuid().ToString("N")[..8], "other-" + Guid.NewGuid().ToString("N")[..8]);
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(other);
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("roaming", Roles.Streamer, own));
        await streamer.JoinRoomAsync(other);
        await streamer.SendChatAsync("visiting");
        await received.WaitForAsync(e => e.Count > 0, "the chat");
        Assert.Equal(Roles.Viewer, received.Events.Single().From!.Role);
    }

    [Theory]
    [InlineData("expired")]
    [InlineData("wrong-key")]
    [InlineData("unsigned")]
    [InlineData("garbage")]
    public async Task A_token_that_does_not_validate_is_refused_with_401(string kind)
    {
        var token = kind switch
        {
            "expired" => _cluster.Tokens.Issue("late", "Late", Roles.Viewer, null, TimeSpan.FromMinutes(-5)),
            "wrong-key" => new Hosting.Auth.LiveImTokens(new Hosting.Auth.AuthSettings { SigningKey = "some-other-key-that-is-long-enough-123456" })
                .Issue("forger", "Forger", Roles.Streamer, "x", TimeSpan.FromHours(1)),
            "unsigned" => Unsigned(),
            _ => "not.a.jwt",
        };
        var client = new RoomClient(new RoomClientOptions { GatewayUrl = _cluster.Gateways[0], AccessToken = token });
        var error = await Assert.ThrowsAsync<RoomConnectException>(() => client.ConnectAsync());
        Assert.Equal(401, error.StatusCode);
    }

    private static string Unsigned()
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return B64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + B64($"{{\"sub\":\"evil\",\"role\":\"streamer\",\"room\":\"x\",\"iss\":\"liveim\",\"aud\":\"liveim\",\"exp\":{exp}}}") + ".";
    }
}
