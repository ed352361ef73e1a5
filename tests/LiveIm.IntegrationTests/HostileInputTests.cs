using System.Text;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The hostile-input suite: attacks a gateway running in its own process (<see cref="HostileCluster.Target"/>) with
/// real sockets, while a well-behaved viewer on the same gateway watches a streamer's gifts in the same room. Each
/// attack must get its stable outcome, and the viewer must receive every acknowledged gift, once, in order: nothing
/// accepted is lost and nobody else is disturbed. Every test prints what it tried.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileInputTests
{
    private readonly HostileCluster _cluster;
    private readonly ITestOutputHelper _output;

    public HostileInputTests(HostileCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    /// <summary>Protocol-level garbage on one connection closes that connection only (or fails that call only).</summary>
    [Fact]
    public async Task Malformed_frames_close_only_the_offending_connection()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);

        // Frames the gateway cannot read: SignalR close message "invalid_frame: ...", that connection only.
        var unreadable = new (string Name, byte[] Frame)[]
        {
            ("truncated JSON", Bytes("{\"type\":1,\"target\":\"SendChat\",\"arguments\":[\u001e")),
            ("not JSON at all", Bytes("hello gateway\u001e")),
            ("message type as a string", Bytes("{\"type\":\"1\",\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\"a\",null]}\u001e")),
            ("invocation without a target", Bytes("{\"type\":1,\"invocationId\":\"1\",\"arguments\":[]}\u001e")),
            ("arguments not an array", Bytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendChat\",\"arguments\":\"hi\"}\u001e")),
            ("JSON nested 10,000 deep", Bytes(new string('[', 10_000) + "\u001e")),
            ("a 1 MB frame", Bytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendChat\",\"arguments\":[\"" + new string('a', 1024 * 1024) + "\"]}\u001e")),
            ("20 KB without a record separator", Bytes(new string('{', 20 * 1024))),
            ("garbage after the JSON object", Bytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendChat\",\"arguments\":[\"hi\"]}xyz\u001e")),
            ("two objects in one record", Bytes("{\"type\":6}{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendChat\",\"arguments\":[\"hi\"]}\u001e")),
        };
        foreach (var (name, frame) in unreadable)
        {
            await using var attacker = await ConnectAsync(room);
            await attacker.SendRawAsync(frame);
            var outcome = await attacker.ReadOutcomeAsync(null, Timeout());
            tried.Add(name, outcome);
            Assert.True(outcome.Kind == HubOutcomeKind.Closed && outcome.Code == "invalid_frame", $"{name}: expected a close with invalid_frame, got {outcome}");
        }

        // Text frames that are not UTF-8 are refused by the WebSocket layer itself: close status 1007.
        var notUtf8 = new (string Name, byte[] Frame)[]
        {
            ("binary garbage in a text frame", [.. Enumerable.Range(0, 1024).Select(i => (byte)(128 + (i % 120))), 0x1e]),
            ("invalid UTF-8 inside a string", [.. Bytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\""), 0xC3, 0x28, 0xFF, .. Bytes("\",null]}\u001e")]),
            ("overlong UTF-8 encoding of '/'", [.. Bytes("{\"type\":1,\"invocationId\":\"1\",\"target\":\"SendChat\",\"arguments\":[\""), 0xC0, 0xAF, .. Bytes("\"]}\u001e")]),
        };
        foreach (var (name, frame) in notUtf8)
        {
            await using var attacker = await ConnectAsync(room);
            await attacker.SendRawAsync(frame);
            var outcome = await attacker.ReadOutcomeAsync(null, Timeout());
            tried.Add(name, $"{outcome} (WebSocket close {(int?)attacker.CloseStatus})");
            Assert.Equal(HubOutcomeKind.Dropped, outcome.Kind);

            // The server sends the 1007 close and ends the connection; when the client's socket is reset first (it
            // still had bytes in flight), the close frame is lost with it and only the drop is seen.
            Assert.True(attacker.CloseStatus is null or System.Net.WebSockets.WebSocketCloseStatus.InvalidPayloadData, $"{name}: close status {attacker.CloseStatus}");
        }

        // Readable frames of no use: ignored or refused call by call; the connection keeps working.
        var harmless = new (string Name, byte[] Frame)[]
        {
            ("unknown message type 99 (ignored, for forward compatibility)", Bytes("{\"type\":99}\u001e")),
            ("unknown type and a join in one frame", Bytes($"{{\"type\":99}}\u001e{{\"type\":1,\"invocationId\":\"8\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\",null]}}\u001e")),
            ("a completion sent by the client", Bytes("{\"type\":3,\"invocationId\":\"777\",\"result\":1}\u001e")),
            ("a cancel for an invocation that does not exist", Bytes("{\"type\":5,\"invocationId\":\"nope\"}\u001e")),
            ("a ping", Bytes("{\"type\":6}\u001e")),
            ("a lone surrogate escape in a room id", Bytes("{\"type\":1,\"invocationId\":\"9\",\"target\":\"JoinRoom\",\"arguments\":[\"\\ud800\",null]}\u001e")),
        };
        foreach (var (name, frame) in harmless)
        {
            await using var prober = await ConnectAsync(room);
            await prober.SendRawAsync(frame);
            var next = await prober.InvokeAsync("JoinRoom", $"[\"{room}\",null]", Timeout());
            tried.Add(name + ", then a join", next);
            Assert.True(next.Kind == HubOutcomeKind.Result, $"{name}: the next call must still work, got {next}");
        }

        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// A record is exactly one JSON object: bytes after it (<c>{...}xyz</c>, a second object) close that connection with
    /// <c>invalid_frame</c> and its call never runs; whitespace after the object is fine. The neighbour's gifts flow on.
    /// </summary>
    [Fact]
    public async Task A_frame_with_bytes_after_its_JSON_object_is_refused_and_its_call_never_runs()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var trailing = new (string Name, string After)[]
        {
            ("letters", "xyz"), ("a second object", "{\"type\":6}"), ("a number", " 1"), ("a closing bracket", "]"), ("a NUL byte", "\u0000"),
        };
        foreach (var (name, after) in trailing)
        {
            await using var attacker = await ConnectAsync(room, _cluster.Token("trailer-" + room));
            var line = $"trailing {name} {room}";
            await attacker.SendRawAsync(Bytes($"{{\"type\":1,\"invocationId\":\"t\",\"target\":\"SendChat\",\"arguments\":[\"{line}\"]}}{after}\u001e"));
            var outcome = await attacker.ReadOutcomeAsync(null, Timeout());
            tried.Add($"a chat call with {name} after its JSON object", outcome);
            Assert.True(outcome.Kind == HubOutcomeKind.Closed && outcome.Code == "invalid_frame", $"{name}: expected a close with invalid_frame, got {outcome}");
        }

        await using (var spaced = await ConnectAsync(room, _cluster.Token("spacer-" + room)))
        {
            await spaced.SendRawAsync(Bytes($"{{\"type\":1,\"invocationId\":\"w\",\"target\":\"SendChat\",\"arguments\":[\"spaced {room}\"]}} \r\n\t\u001e"));
            var outcome = await spaced.ReadOutcomeAsync("w", Timeout());
            tried.Add("a chat call with whitespace after its JSON object", outcome);
            Assert.Equal(HubOutcomeKind.Result, outcome.Kind);
        }

        // The refused calls came first; had any run, its line would be in the room before the spaced one.
        await watch.Neighbour.WaitForAsync(e => e.Any(x => x.Text == $"spaced {room}"), "the call with whitespace after its object runs");
        Assert.DoesNotContain(watch.Neighbour.Events, e => e.Text?.StartsWith("trailing ", StringComparison.Ordinal) == true);
        tried.Add("(neighbour) lines of the refused calls", "none arrived");
        await watch.VerifyAsync(tried);
    }

    /// <summary>Calls that parse but are wrong fail with a stable code, and the connection keeps working.</summary>
    [Fact]
    public async Task Wrong_calls_get_stable_codes_and_the_connection_stays_usable()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        await using var attacker = await ConnectAsync(room, _cluster.Token("attacker-" + room));

        var calls = new (string Name, string Target, string Args, string Code)[]
        {
            ("unknown method", "DropDatabase", "[]", "unknown_method"),
            ("method name 10 KB", new string('M', 10 * 1024), "[]", "unknown_method"),
            ("no arguments", "JoinRoom", "[]", "invalid_argument"),
            ("too many arguments", "JoinRoom", "[\"a\",null,3]", "invalid_argument"),
            ("number for text", "SendChat", "[123]", "invalid_argument"),
            ("object for text", "SendChat", "[{\"text\":\"hi\"}]", "invalid_argument"),
            ("null text", "SendChat", "[null]", "invalid_argument"),
            ("text of 501 characters", "SendChat", "[\"" + new string('t', 501) + "\"]", "invalid_argument"),
            ("control characters in text", "SendChat", "[\"a\\u0000b\\u001b[2J\"]", "invalid_argument"),
            ("gift count -1", "SendGift", "[\"rose\",-1,\"m1\"]", "invalid_argument"),
            ("gift count 0", "SendGift", "[\"rose\",0,\"m2\"]", "invalid_argument"),
            ("gift count 10001", "SendGift", "[\"rose\",10001,\"m3\"]", "invalid_argument"),
            ("gift count int.MaxValue", "SendGift", "[\"rose\",2147483647,\"m4\"]", "invalid_argument"),
            ("gift count 1e30", "SendGift", "[\"rose\",1e30,\"m5\"]", "invalid_argument"),
            ("gift count as a string", "SendGift", "[\"rose\",\"NaN\",\"m6\"]", "invalid_argument"),
            ("gift id with a dot", "SendGift", "[\"ro.se\",1,\"m7\"]", "invalid_argument"),
            ("clientMsgId of 10 KB", "SendGift", "[\"rose\",1,\"" + new string('c', 10 * 1024) + "\"]", "invalid_argument"),
            ("like count -5", "SendLike", "[-5]", "invalid_argument"),
            ("like count 1,000,000", "SendLike", "[1000000]", "invalid_argument"),
            ("lastSeq -1", "JoinRoom", $"[\"{room}\",-1]", "invalid_argument"),
            ("lastSeq 1e300", "JoinRoom", $"[\"{room}\",1e300]", "invalid_argument"),
            ("room id '.'", "JoinRoom", "[\".\",null]", "invalid_room"),
            ("room id '*'", "JoinRoom", "[\"*\",null]", "invalid_room"),
            ("room id '>'", "JoinRoom", "[\">\",null]", "invalid_room"),
            ("room id 'liveim.room.>'", "JoinRoom", "[\"liveim.room.>\",null]", "invalid_room"),
            ("room id with a space", "JoinRoom", "[\"a b\",null]", "invalid_room"),
            ("room id of 10 KB", "JoinRoom", "[\"" + new string('r', 10 * 1024) + "\",null]", "invalid_room"),
            ("room id null", "JoinRoom", "[null,null]", "invalid_room"),
        };
        foreach (var (name, target, args, code) in calls)
        {
            // Joins on a fresh connection each: one connection may join only 2 times a second (Limits:JoinPerSecond),
            // and this test is about each wrong call's own answer, not about that limit.
            await using var fresh = target == "JoinRoom" ? await ConnectAsync(room) : null;
            var outcome = await (fresh ?? attacker).InvokeAsync(target, args, Timeout());
            tried.Add(name, outcome);
            Assert.True(outcome.Kind == HubOutcomeKind.Error && outcome.Code == code, $"{name}: expected {code}, got {outcome}");
        }

        // Still a working connection: the attacker is in its room and can chat.
        var chat = await attacker.InvokeAsync("SendChat", "[\"still here\"]", Timeout());
        tried.Add("a valid chat after all of the above", chat);
        Assert.Equal(HubOutcomeKind.Result, chat.Kind);
        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// The same attacks over the MessagePack protocol: unreadable records close that connection with
    /// <c>invalid_frame</c>, wrong calls get the same coded errors as over JSON, harmless records are ignored, and the
    /// attacker's room frames arrive as MessagePack maps with the JSON field names. The neighbour's gifts flow on.
    /// </summary>
    [Fact]
    public async Task MessagePack_garbage_truncated_records_and_wrong_calls_get_invalid_frame_or_coded_errors()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var chat = RawMessagePackSocket.Invocation("1", "SendChat", "trailing " + room);
        var unreadable = new (string Name, byte[] Frame)[]
        {
            ("garbage bytes (0xC1, a code MessagePack never uses)", [16, .. Enumerable.Repeat((byte)0xc1, 16)]),
            ("a record that is not an array", [4, 0xa3, (byte)'a', (byte)'b', (byte)'c']),
            ("a truncated message (array of 6, 3 items)", [5, 0x96, 0x01, 0x80, 0xa1, (byte)'1']),
            ("message type as a string", [.. Record([0x95, 0xa1, (byte)'1', 0x80, 0xc0, 0xa4, .. Bytes("Ping"), 0x90])]),
            ("bytes after the message's array", [.. Record([.. chat[1..], 0xc0, 0xc0])]),
            ("arrays nested 10,000 deep", [.. Record([.. Enumerable.Repeat((byte)0x91, 10_000)])]),
            ("a length prefix of 6 bytes", [0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x90]),
            ("a 1 MB record", RawMessagePackSocket.Invocation("1", "SendChat", new string('a', 1024 * 1024))),
        };
        foreach (var (name, frame) in unreadable)
        {
            await using var attacker = await ConnectMessagePackAsync(room, _cluster.Token("packer-" + room));
            await attacker.SendRawAsync(frame, Timeout());
            var outcome = await attacker.ReadOutcomeAsync(null, Timeout());
            tried.Add("MessagePack: " + name, outcome);
            Assert.True(outcome.Kind == HubOutcomeKind.Closed && outcome.Code == "invalid_frame", $"{name}: expected a close with invalid_frame, got {outcome}");
        }

        await using var caller = await ConnectMessagePackAsync(room, _cluster.Token("caller-" + room));
        var harmless = new (string Name, byte[] Frame)[]
        {
            ("unknown message type 99 (ignored)", [2, 0x91, 99]),
            ("a ping", [2, 0x91, 6]),
            ("unknown type and a chat in one message", [2, 0x91, 99, .. RawMessagePackSocket.Invocation(null, "SendChat", "after 99 " + room)]),
        };
        foreach (var (name, frame) in harmless)
        {
            await caller.SendRawAsync(frame, Timeout());
            var next = await caller.InvokeAsync("SendLike", [1], Timeout());
            tried.Add("MessagePack: " + name + ", then a like", next);
            Assert.True(next.Kind == HubOutcomeKind.Result, $"{name}: the next call must still work, got {next}");
        }

        var calls = new (string Name, string Target, object?[] Args, string Code, string? Says)[]
        {
            ("unknown method", "DropDatabase", [], "unknown_method", "no hub method 'DropDatabase'"),
            ("no arguments", "SendChat", [], "invalid_argument", "SendChat takes 1 argument (text: a string); the call sent 0"),
            ("number for text", "SendChat", [123], "invalid_argument", "SendChat argument 1 (text) must be a string; the call sent a number"),
            ("array for text", "SendChat", [new[] { "hi" }], "invalid_argument", "SendChat argument 1 (text) must be a string"),
            ("gift count as a string", "SendGift", ["rose", "NaN", "m6"], "invalid_argument", "SendGift argument 2 (count) must be a whole number"),
            ("gift count 1.5", "SendGift", ["rose", 1.5, "m7"], "invalid_argument", "SendGift argument 2 (count) must be a whole number"),
            ("gift count 0", "SendGift", ["rose", 0, "m8"], "invalid_argument", null),
            ("lastSeq as a string", "JoinRoom", [room, "5"], "invalid_argument", "JoinRoom argument 2 (lastSeq)"),
            ("room id '*'", "JoinRoom", ["*", null], "invalid_room", null),
        };
        foreach (var (name, target, args, code, says) in calls)
        {
            var outcome = await caller.InvokeAsync(target, args, Timeout());
            tried.Add("MessagePack: " + name, outcome);
            Assert.True(outcome.Kind == HubOutcomeKind.Error && outcome.Code == code, $"{name}: expected {code}, got {outcome}");
            Assert.True(says is null || outcome.Text!.Contains(says, StringComparison.Ordinal), $"{name}: expected the error to say '{says}', got {outcome}");
        }

        var still = await caller.InvokeAsync("SendChat", ["still here " + room], Timeout());
        tried.Add("MessagePack: a valid chat after all of the above", still);
        Assert.Equal(HubOutcomeKind.Result, still.Kind);
        Assert.Contains("\"status\":\"ok\"", still.Text, StringComparison.Ordinal);

        // The caller's own room frames: the gifts of the watch, as MessagePack maps with the JSON names.
        Assert.True(await caller.ReadEventsUntilAsync(e => e.Any(x => x.Contains("\"type\":\"gift\"", StringComparison.Ordinal)), Timeout()), "a gift frame arrives");
        var gift = caller.Events.First(x => x.Contains("\"type\":\"gift\"", StringComparison.Ordinal));
        tried.Add("MessagePack: a gift event as received", gift);
        Assert.Contains($"\"roomId\":\"{room}\"", gift, StringComparison.Ordinal);
        Assert.Contains("\"gift\":{\"giftId\":\"rose\",\"count\":1}", gift, StringComparison.Ordinal);
        await watch.Neighbour.WaitForAsync(e => e.Any(x => x.Text == "still here " + room), "the valid chat after the attacks arrives");
        Assert.DoesNotContain(watch.Neighbour.Events, e => e.Text?.StartsWith("trailing ", StringComparison.Ordinal) == true);
        await watch.VerifyAsync(tried);
    }

    // A MessagePack payload with its VarInt length in front.
    private static byte[] Record(byte[] payload)
    {
        var prefix = new List<byte>();
        var length = (uint)payload.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return [.. prefix, .. payload];
    }

    private async Task<RawMessagePackSocket> ConnectMessagePackAsync(string room, string? token)
    {
        var socket = new RawMessagePackSocket();
        await socket.ConnectAsync(_cluster.Target.Url, token, Timeout());
        await socket.JoinAsync(room, Timeout());
        return socket;
    }

    /// <summary>
    /// Tokens that do not validate, or validate but name no user or an unknown role, are refused at the door; a role
    /// token of another room gives no power here.
    /// </summary>
    [Fact]
    public async Task Bad_tokens_are_refused_and_another_rooms_role_is_a_viewer_here()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var otherKey = new LiveIm.Hosting.Auth.LiveImTokens(new LiveIm.Hosting.Auth.AuthSettings { SigningKey = "another-key-entirely-0123456789abcdef-xyz" });
        var valid = _cluster.Token("mallory");
        var parts = valid.Split('.');
        var tokens = new (string Name, string Token)[]
        {
            ("expired", _cluster.Tokens.Issue("mallory", "M", Roles.Viewer, null, TimeSpan.FromSeconds(-120))),
            ("signed with another key", otherKey.Issue("mallory", "M", Roles.Streamer, room, TimeSpan.FromHours(1))),
            ("alg none, no signature", Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + "."),
            ("signature stripped", parts[0] + "." + parts[1] + "."),
            ("payload swapped to streamer", parts[0] + "." + Base64Url($"{{\"sub\":\"mallory\",\"name\":\"M\",\"role\":\"streamer\",\"room\":\"{room}\",\"iss\":\"liveim\",\"aud\":\"liveim\",\"exp\":4102444800}}") + "." + parts[2]),
            ("validly signed, unknown role admin", _cluster.Tokens.Issue("mallory", "M", "admin", room, TimeSpan.FromHours(1))),
            ("validly signed, empty user id", _cluster.Tokens.Issue("", "M", Roles.Viewer, null, TimeSpan.FromHours(1))),
            ("garbage", "not-a-token"),
            ("10 KB of garbage", new string('x', 10 * 1024)),
        };
        foreach (var (name, token) in tokens)
        {
            await using var attacker = new RawHubSocket();
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => attacker.ConnectAsync(_cluster.Target.Url, token, Timeout()));
            tried.Add("token " + name, $"HTTP {attacker.RefusedStatus}");

            // 401 with "unauthorized: token rejected"; a token too long for a request line is refused by Kestrel first.
            Assert.Equal(token.Length > 8 * 1024 ? 414 : 401, attacker.RefusedStatus);
        }

        // A streamer token of another room: here it is a plain viewer (its line says role viewer).
        await using var impostor = await ConnectAsync(room, _cluster.Token("impostor", Roles.Streamer, "some-other-room"));
        var line = await impostor.InvokeAsync("SendChat", "[\"i am the streamer\"]", Timeout());
        tried.Add("streamer token of another room, chat", line);
        Assert.Equal(HubOutcomeKind.Result, line.Kind);
        await watch.Neighbour.WaitForAsync(e => e.Any(x => x.Text == "i am the streamer"), "the impostor's line arrives");
        Assert.Equal(Roles.Viewer, watch.Neighbour.Events.First(x => x.Text == "i am the streamer").From!.Role);
        foreach (var (method, args) in new[] { ("Ban", "[\"neighbour-x\"]"), ("Mute", "[\"neighbour-x\",60]"), ("SetSlowMode", "[30]"), ("DeleteMessage", "[1]") })
        {
            var power = await impostor.InvokeAsync(method, args, Timeout());
            tried.Add($"streamer token of another room, {method}", power);
            Assert.True(power.Kind == HubOutcomeKind.Error && power.Code == "forbidden", $"{method}: {power}");
        }

        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// The credential forms the gateway reads itself: an Authorization header that is not a bearer token, an empty
    /// bearer token, an empty or tampered access_token, or a good token in a bearer header with a tampered one in the
    /// query (the query wins) are refused with 401 and the stable body; a good bearer header passes the door.
    /// </summary>
    [Fact]
    public async Task Credentials_that_are_not_one_valid_token_are_refused_with_401_before_the_hub()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var valid = _cluster.Token("mallory");
        using var http = new HttpClient { BaseAddress = _cluster.Target.Url, Timeout = TimeSpan.FromSeconds(15) };
        var cases = new (string Name, string Query, string? Authorization)[]
        {
            ("basic auth header", string.Empty, "Basic bWFsbG9yeTpwdw=="),
            ("bearer with no token", string.Empty, "Bearer "),
            ("empty access_token", "?access_token=", null),
            ("tampered access_token", "?access_token=" + Uri.EscapeDataString(valid[..^2] + "xx"), null),
            ("tampered query beats a good header", "?access_token=" + Uri.EscapeDataString(valid[..^2] + "xx"), "Bearer " + valid),
        };
        foreach (var (name, query, authorization) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/hubs/room" + query);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            tried.Add(name, $"HTTP {(int)response.StatusCode} {body}");
            Assert.Equal(401, (int)response.StatusCode);
            Assert.StartsWith("unauthorized: token rejected: ", body, StringComparison.Ordinal);
        }

        using (var good = new HttpRequestMessage(HttpMethod.Get, "/hubs/room"))
        {
            good.Headers.TryAddWithoutValidation("Authorization", "Bearer " + valid);
            using var response = await http.SendAsync(good);
            tried.Add("good bearer header (a plain GET, not a WebSocket)", $"HTTP {(int)response.StatusCode}");
            Assert.NotEqual(401, (int)response.StatusCode);
        }

        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// Twenty signed-in attackers pipeline chat lines as fast as their sockets take them, ignoring every answer's
    /// meaning: the gateway answers each call at once (a result or <c>rate_limited</c>), closes each attacker with
    /// <c>flood</c>, admits no more lines than the limits allow, and its memory stays bounded (printed).
    /// </summary>
    [Fact]
    public async Task A_chat_flood_beyond_every_limit_is_refused_then_closed_and_memory_stays_bounded()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var before = _cluster.Target.ResidentBytes();
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, _cluster.Target.ResidentBytes());
                await Task.Delay(50);
            }
        });

        const int attackers = 20;
        var sockets = new List<RawHubSocket>();
        for (var i = 0; i < attackers; i++)
        {
            sockets.Add(await ConnectAsync(room, _cluster.Token($"flooder{i}-{room}")));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        var results = await Task.WhenAll(sockets.Select(FloodAsync));
        var seconds = started.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        var after = _cluster.Target.ResidentBytes();

        var sent = results.Sum(r => r.Sent);
        var ok = results.Sum(r => r.Ok);
        var limited = results.Sum(r => r.RateLimited);
        var other = results.SelectMany(r => r.Other).Distinct().ToList();
        tried.Add($"{attackers} connections pipelining SendChat for up to 20 s", $"{sent:N0} calls ({sent / seconds:N0}/s) in {seconds:0.0} s");
        tried.Add("answers", $"{ok} ok/sampled, {limited:N0} rate_limited, other: [{string.Join(", ", other)}]");
        tried.Add("how the attackers ended", string.Join(", ", results.GroupBy(r => r.End).Select(g => $"{g.Count()} x {g.Key}")));
        tried.Add("gateway memory (RSS)", $"before {before / 1048576.0:0.0} MB, peak {peak / 1048576.0:0.0} MB, after {after / 1048576.0:0.0} MB");
        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        Assert.All(results, r => Assert.StartsWith("Closed flood:", r.End));
        Assert.Empty(other);
        Assert.True(limited > 0);

        // Every attacker used at most its burst plus what its bucket refilled while the flood lasted.
        var perConnectionMax = 5 + (int)Math.Ceiling(2 * seconds);
        Assert.All(results, r => Assert.InRange(r.Ok, 0, perConnectionMax));

        // Bounded: the flood's volume is not kept (it was answered and dropped), so the process grows by far less
        // than what was sent at it. The figure is in the output; the bound is generous for GC slack.
        var floodBytes = sent * 70L;
        _output.WriteLine($"flood volume ~{floodBytes / 1048576.0:0.0} MB; gateway peak growth {(peak - before) / 1048576.0:0.0} MB");
        Assert.True(peak - before < 256L * 1024 * 1024, $"the gateway grew by {(peak - before) / 1048576.0:0.0} MB under the flood");
        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// A thousand connections with a join each, in about a second, from one address: the gateway admits up to its
    /// per-address cap, refuses the rest at the door with 429 and a retry hint (no hang, no timeout), the joined ones
    /// work, and the address can connect again once they are gone.
    /// </summary>
    [Fact]
    public async Task A_thousand_joins_a_second_from_one_address_are_capped_at_the_door()
    {
        var room = NewRoom();
        await using var watch = await GiftWatch.StartAsync(_cluster, room);
        var tried = new AttackLog(_output);
        var sockets = new System.Collections.Concurrent.ConcurrentBag<RawHubSocket>();
        int joined = 0, refused429 = 0;
        var other = new System.Collections.Concurrent.ConcurrentBag<string>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForAsync(0, 1000, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (_, ct) =>
        {
            var socket = new RawHubSocket();
            sockets.Add(socket);
            try
            {
                await socket.ConnectAsync(_cluster.Target.Url, null, Timeout());
                await socket.JoinAsync(room, Timeout());
                Interlocked.Increment(ref joined);
            }
            catch (Exception) when (socket.RefusedStatus == 429)
            {
                Interlocked.Increment(ref refused429);
            }
            catch (Exception ex)
            {
                other.Add(socket.RefusedStatus != 0 ? "HTTP " + socket.RefusedStatus : ex.GetType().Name + ": " + ex.Message);
            }
        });
        tried.Add($"1,000 connect+join attempts from 127.0.0.1 in {started.Elapsed.TotalSeconds:0.0} s", $"{joined} joined, {refused429} refused with 429, other: [{string.Join(", ", other.Distinct())}]");
        Assert.Empty(other);
        Assert.Equal(1000, joined + refused429);
        Assert.InRange(joined, 1, 200); // Limits:MaxConnectionsPerIp (the neighbour holds one of the 200)
        Assert.True(refused429 >= 800);

        // The door's answer, as a plain HTTP client sees it.
        using (var http = new HttpClient { BaseAddress = _cluster.Target.Url })
        {
            var response = await http.PostAsync("/hubs/room/negotiate?negotiateVersion=1", null);
            var body = await response.Content.ReadAsStringAsync();
            tried.Add("negotiate while the address is at its cap", $"HTTP {(int)response.StatusCode}, Retry-After {response.Headers.RetryAfter?.Delta?.TotalSeconds}s, \"{body}\"");
            Assert.Equal(429, (int)response.StatusCode);
            Assert.NotNull(response.Headers.RetryAfter?.Delta);
            Assert.Matches(@"^rate_limited: .* retryAfterMs=\d+$", body);
        }

        foreach (var socket in sockets)
        {
            await socket.DisposeAsync();
        }

        // Gone: the address's count falls back and it may connect again.
        await Eventually.TrueAsync(async () =>
        {
            await using var again = new RawHubSocket();
            try
            {
                await again.ConnectAsync(_cluster.Target.Url, null, Timeout());
                return true;
            }
            catch (Exception) when (again.RefusedStatus == 429)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "the address may connect again once its connections closed");
        tried.Add("a new connection once they closed", "accepted");
        await watch.VerifyAsync(tried);
    }

    /// <summary>
    /// The public replay endpoint under a scraper: past its per-address burst, pages get 429 with Retry-After and a
    /// coded body (never a hang), and the address reads again after the hinted wait.
    /// </summary>
    [Fact]
    public async Task Replay_scraping_from_one_address_is_rate_limited_with_a_retry_hint()
    {
        var tried = new AttackLog(_output);
        using var http = new HttpClient { BaseAddress = _cluster.RoomServiceUrl, Timeout = TimeSpan.FromSeconds(10) };
        var url = $"/api/rooms/{NewRoom()}/replay?epoch=1";
        var statuses = new List<int>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20; i++)
        {
            var response = await http.GetAsync(url);
            statuses.Add((int)response.StatusCode);
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                refused ??= response;
            }
        }

        tried.Add("20 replay pages back to back from one address (limit 2/s, burst 3)", string.Join(" ", statuses));
        Assert.Equal([200, 200, 200], statuses.Take(3));
        Assert.NotNull(refused);
        Assert.True(statuses.Count(s => s == 429) >= 15, "the pages past the burst are refused");
        Assert.All(statuses, s => Assert.Contains(s, new[] { 200, 429 }));
        var body = await refused.Content.ReadAsStringAsync();
        tried.Add("a refused page", $"HTTP 429, Retry-After {refused.Headers.RetryAfter?.Delta?.TotalSeconds}s, {body}");
        using (var doc = System.Text.Json.JsonDocument.Parse(body))
        {
            Assert.Equal("rate_limited", doc.RootElement.GetProperty("error").GetString());
            Assert.Matches(@"retryAfterMs=\d+$", doc.RootElement.GetProperty("message").GetString());
        }

        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        await Task.Delay(refused.Headers.RetryAfter!.Delta!.Value + TimeSpan.FromMilliseconds(100));
        var again = await http.GetAsync(url);
        tried.Add("a page after Retry-After", $"HTTP {(int)again.StatusCode}");
        Assert.Equal(200, (int)again.StatusCode);
    }

    private sealed record FloodResult(int Sent, int Ok, int RateLimited, List<string> Other, string End);

    // Sends invocations without waiting for answers while a reader counts the answers, until the gateway closes the
    // connection or 20 s pass.
    private static async Task<FloodResult> FloodAsync(RawHubSocket socket)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int ok = 0, limited = 0;
        var other = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (true)
            {
                HubOutcome outcome;
                try
                {
                    outcome = await socket.ReadOutcomeAsync(null, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return "still open after 20 s";
                }

                switch (outcome.Kind)
                {
                    case HubOutcomeKind.Result:
                        ok++;
                        break;
                    case HubOutcomeKind.Error when outcome.Code == "rate_limited":
                        limited++;
                        break;
                    case HubOutcomeKind.Error:
                        other.Add(outcome.Code ?? outcome.Text ?? "?");
                        break;
                    default:
                        await stop.CancelAsync();
                        return outcome.ToString();
                }
            }
        });

        var sent = 0;
        var frame = Encoding.UTF8.GetBytes("{\"type\":1,\"invocationId\":\"f\",\"target\":\"SendChat\",\"arguments\":[\"flood flood flood\"]}\u001e");
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await socket.SendRawAsync(frame, stop.Token);
                sent++;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException)
        {
            // Closed by the gateway, or time is up.
        }

        var end = await reader;
        return new FloodResult(sent, ok, limited, other, end);
    }

    private async Task<RawHubSocket> ConnectAsync(string room, string? token = null)
    {
        var socket = new RawHubSocket(receiveBufferBytes: 64 * 1024);
        await socket.ConnectAsync(_cluster.Target.Url, token, Timeout());
        await socket.JoinAsync(room, Timeout());
        return socket;
    }

    private static readonly string[] StableCodes =
        ["invalid_room", "invalid_argument", "not_joined", "unauthorized", "forbidden", "rate_limited", "unavailable", "unknown_method", "muted", "banned"];

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token;

    private static string NewRoom() => "hostile-" + Guid.NewGuid().ToString("N")[..10];

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Prints each attack and its outcome as it happens (the suite's output lists what it tried).</summary>
    private sealed class AttackLog
    {
        private readonly ITestOutputHelper _output;
        private int _count;

        public AttackLog(ITestOutputHelper output) => _output = output;

        public int Count => _count;

        public void Add(string attack, object outcome) => _output.WriteLine($"tried {++_count,3}: {attack,-45} -> {outcome}");
    }

    /// <summary>
    /// A viewer on the attacked gateway and a streamer (on another gateway) sending a gift every 200 ms into the same
    /// room, for as long as the attacks run. <see cref="VerifyAsync"/> checks the viewer got every acknowledged gift
    /// exactly once, in seq order.
    /// </summary>
    private sealed class GiftWatch : IAsyncDisposable
    {
        private readonly RoomClient _viewer;
        private readonly RoomClient _streamer;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<long> _acknowledged = new();
        private Task _sending = Task.CompletedTask;

        private GiftWatch(RoomClient viewer, RoomClient streamer)
        {
            _viewer = viewer;
            _streamer = streamer;
            Neighbour = new EventCollector(viewer);
        }

        public EventCollector Neighbour { get; }

        public static async Task<GiftWatch> StartAsync(HostileCluster cluster, string room)
        {
            var viewer = new RoomClient(new RoomClientOptions { GatewayUrl = cluster.Target.Url, AccessToken = cluster.Token("neighbour-" + room) });
            await viewer.ConnectAsync();
            var streamer = await cluster.ConnectAsync(0, cluster.Token("streamer-" + room, Roles.Streamer, room));
            var watch = new GiftWatch(viewer, streamer);
            await viewer.JoinRoomAsync(room);
            await streamer.JoinRoomAsync(room);
            watch._sending = watch.SendAsync();
            return watch;
        }

        public async Task VerifyAsync(AttackLog tried)
        {
            await _stop.CancelAsync();
            await _sending;
            long[] expected;
            lock (_acknowledged)
            {
                expected = _acknowledged.Order().ToArray();
            }

            Assert.True(expected.Length > 0, "the streamer got gifts acknowledged during the attacks");
            await Neighbour.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Gift) >= expected.Length, "the neighbour receives every acknowledged gift", seconds: 20);
            var received = Neighbour.OfType(RoomEventTypes.Gift).Select(g => g.Seq!.Value).ToArray();
            Assert.Equal(expected, received);
            tried.Add($"(neighbour) received all {expected.Length} acknowledged gifts, once, in order, during {tried.Count} attacks", "ok");
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sending;
            await _viewer.DisposeAsync();
            await _streamer.DisposeAsync();
            _stop.Dispose();
        }

        private async Task SendAsync()
        {
            var n = 0;
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var gift = await _streamer.SendGiftAsync("rose", 1, "watch-" + ++n);
                    lock (_acknowledged)
                    {
                        _acknowledged.Add(gift.Seq);
                    }
                }
                catch (RoomClientException ex)
                {
                    Assert.Fail($"the streamer's gift {n} failed during the attacks: {ex.Message}");
                }

                try
                {
                    await Task.Delay(200, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }
}
