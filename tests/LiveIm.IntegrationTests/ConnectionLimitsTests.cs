using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveIm.Client;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The gateway's per-connection limits with real NATS and Redis: rate per kind, calls in flight, the flood close,
/// the largest frame, and that limiter state leaves with its connection. In each, a well-behaved viewer in the same
/// room receives every event sent during the abuse.
/// </summary>
[Collection(LimitsCollection.Name)]
public sealed class ConnectionLimitsTests
{
    private static readonly Regex ChatLimited = new(@"^rate_limited: chat limit of 2/s per connection retryAfterMs=(\d+)$");

    private readonly LimitsCluster _cluster;
    private readonly ITestOutputHelper _output;

    public ConnectionLimitsTests(LimitsCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom(string what) => what + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Chat_past_the_connection_rate_is_rate_limited_a_retry_after_retryAfterMs_succeeds_and_a_neighbour_misses_nothing()
    {
        var room = NewRoom("lim-chat");
        var (neighbour, received) = await NeighbourAsync(room);
        await using var _ = neighbour;
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var chatty = await _cluster.ConnectAsync(0, _cluster.Token("chatty"));
        await chatty.JoinRoomAsync(room);
        var before = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);

        await streamer.SendGiftAsync("rose", 1, "during-1");
        var delivered = new List<long>();
        RoomClientException? refusal = null;
        for (var i = 0; i < 50 && refusal is null; i++)
        {
            try
            {
                var reply = await chatty.SendChatAsync("line " + i);
                Assert.Equal("ok", reply.Status);
                delivered.Add(reply.Id);
            }
            catch (RoomClientException ex)
            {
                refusal = ex;
            }
        }

        Assert.NotNull(refusal);
        _output.WriteLine($"{delivered.Count} chat lines accepted back to back, then: {refusal.Message}");
        Assert.True(delivered.Count >= 3, "the burst of 3 goes through");
        Assert.Equal("rate_limited", refusal.Code);
        var match = ChatLimited.Match(refusal.Message);
        Assert.True(match.Success, refusal.Message);
        var retryAfterMs = long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfterMs, 1, 500);
        Assert.Equal(retryAfterMs, refusal.RetryAfterMs);

        // Kinds are limited separately: a gift goes through while chat is refused.
        var gift = await chatty.SendGiftAsync("rose", 1, "chatty-gift");
        _output.WriteLine($"a gift from the chat-limited connection: {gift.Status} seq {gift.Seq}");

        await RetryAfter.WaitAsync(retryAfterMs);
        var retried = await chatty.SendChatAsync("after waiting");
        _output.WriteLine($"after waiting {retryAfterMs} ms: {retried.Status}");
        delivered.Add(retried.Id);
        await streamer.SendGiftAsync("rose", 1, "during-2");

        await received.WaitForAsync(
            e => delivered.All(id => e.Any(x => x.Type == "chat" && x.Id == id)) && e.Count(x => x.Type == "gift") == 3,
            "the neighbour gets every accepted chat line and every gift");
        Assert.Equal(new long?[] { 1, 2, 3 }, received.OfType("gift").Select(g => g.Seq).ToArray());

        var after = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);
        var counted = after.Get("liveim_gateway_rate_limited_total", "kind=\"chat\"") - before.Get("liveim_gateway_rate_limited_total", "kind=\"chat\"");
        _output.WriteLine($"liveim_gateway_rate_limited_total{{kind=\"chat\"}} +{counted}");
        Assert.True(counted >= 1);
    }

    [Theory]
    [InlineData("join", 2, 5)]
    [InlineData("gift", 10, 20)]
    [InlineData("like", 10, 20)]
    [InlineData("other", 10, 20)]
    public async Task Each_kind_has_its_own_per_connection_rate_and_its_retry_hint_works(string kind, int perSecond, int burst)
    {
        var room = NewRoom("lim-" + kind);
        await using var client = await _cluster.ConnectAsync(0, _cluster.Token("kind-" + kind));
        await client.JoinRoomAsync(room);
        var n = 0;
        Task Call() => kind switch
        {
            "join" => client.JoinRoomAsync(room),
            "gift" => client.SendGiftAsync("rose", 1, "k" + n++),
            "like" => client.SendLikeAsync(1),
            _ => client.LeaveRoomAsync(),
        };

        var accepted = kind == "join" ? 1 : 0; // the join above
        RoomClientException? refusal = null;
        for (var i = 0; i < 200 && refusal is null; i++)
        {
            try
            {
                await Call();
                accepted++;
            }
            catch (RoomClientException ex)
            {
                refusal = ex;
            }
        }

        Assert.NotNull(refusal);
        _output.WriteLine($"{kind}: {accepted} accepted back to back, then: {refusal.Message}");
        Assert.True(accepted >= burst, $"the burst of {burst} goes through");
        Assert.Matches($@"^rate_limited: {kind} limit of {perSecond}/s per connection retryAfterMs=\d+$", refusal.Message);
        Assert.InRange(refusal.RetryAfterMs ?? 0, 1, 1000 / perSecond);

        await RetryAfter.WaitAsync(refusal.RetryAfterMs!.Value);

        await Call();
        _output.WriteLine($"{kind}: accepted again after {refusal.RetryAfterMs} ms");
    }

    [Fact]
    public async Task A_hundred_calls_fired_without_awaiting_are_all_answered_and_the_caller_stays_connected()
    {
        var room = NewRoom("lim-burst");
        var (neighbour, received) = await NeighbourAsync(room);
        await using var _ = neighbour;
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var eager = await _cluster.ConnectAsync(0, _cluster.Token("eager"));
        await eager.JoinRoomAsync(room);

        // Gifts: the per-kind burst (20) is bigger than the calls allowed in flight (4), so both limits show.
        var calls = Enumerable.Range(0, 100)
            .Select(i => Outcome(eager.SendGiftAsync("rose", 1, "burst-" + i)))
            .ToArray();
        await streamer.SendGiftAsync("lily", 1, "during-burst");
        var outcomes = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, not a timing claim

        var accepted = outcomes.Count(o => o == "ok");
        var pending = outcomes.Count(o => o.StartsWith("rate_limited: more than 4 calls in progress per connection retryAfterMs=", StringComparison.Ordinal));
        var rate = outcomes.Count(o => o.StartsWith("rate_limited: gift limit of 10/s per connection retryAfterMs=", StringComparison.Ordinal));
        _output.WriteLine($"100 gifts fired at once: {accepted} ok, {pending} refused as too many in progress, {rate} refused by the gift rate");
        foreach (var other in outcomes.Where(o => o != "ok" && !o.StartsWith("rate_limited:", StringComparison.Ordinal)).Distinct())
        {
            _output.WriteLine("unexpected: " + other);
        }

        Assert.Equal(100, accepted + pending + rate);
        Assert.InRange(accepted, 1, 20);
        Assert.True(pending > 0, "some calls found 4 already in progress");
        Assert.True(eager.IsConnected);

        // Still connected and usable: a gift after the retry hint goes through.
        var hint = outcomes.Where(o => o.StartsWith("rate_limited:", StringComparison.Ordinal))
            .Max(o => long.Parse(o[(o.LastIndexOf('=') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(hint, 1, 500);
        _output.WriteLine($"retrying after {hint} ms");
        await Task.Delay(TimeSpan.FromMilliseconds(hint));
        Assert.Equal("ok", (await eager.SendGiftAsync("rose", 1, "after-burst")).Status);
        await streamer.SendGiftAsync("lily", 1, "after-burst-streamer");
        var gifts = accepted + 3;
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == gifts, $"the neighbour gets all {gifts} accepted gifts");
        // Every seq once. Not necessarily in seq order: the connection's gifts ran side by side, and RoomService
        // publishes each as soon as it is stored, so the bus may carry seq 3 before seq 1 (a client's seq window
        // takes that in its stride).
        Assert.Equal(Enumerable.Range(1, gifts).Select(i => (long?)i), received.OfType("gift").Select(g => g.Seq).Order());
    }

    [Fact]
    public async Task A_caller_that_keeps_calling_after_rate_limited_is_closed_with_flood_and_may_reconnect()
    {
        var room = NewRoom("lim-flood");
        var (neighbour, received) = await NeighbourAsync(room);
        await using var _ = neighbour;
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        // A raw socket: non-blocking invocations (no invocationId) that never even wait for the refusals.
        await using var flooder = new RawHubSocket(receiveBufferBytes: 256 * 1024);
        await flooder.ConnectAsync(_cluster.Gateways[0], _cluster.Token("flooder"));
        await flooder.JoinAsync(room);
        var closed = flooder.ReadOutcomeAsync(null);
        var before = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);

        await streamer.SendGiftAsync("rose", 1, "before-flood");
        var sent = 0;
        try
        {
            for (; sent < 1000 && !closed.IsCompleted; sent++)
            {
                await flooder.SendRawAsync(Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"SendChat\",\"arguments\":[\"spam {sent}\"]}}\u001e"));
            }
        }
        catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or InvalidOperationException)
        {
            _output.WriteLine($"sending failed after the close: {ex.GetType().Name}");
        }

        var reason = await closed.WaitAsync(TimeSpan.FromSeconds(20));
        _output.WriteLine($"closed after {sent} calls sent: {reason}; allowReconnect={flooder.CloseAllowsReconnect}");
        Assert.Equal(HubOutcomeKind.Closed, reason.Kind);
        Assert.StartsWith("flood: ", reason.Text, StringComparison.Ordinal);
        Assert.True(flooder.CloseAllowsReconnect);

        await streamer.SendGiftAsync("rose", 1, "after-flood");
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "the neighbour gets the gifts before and after the flood");

        var after = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);
        Assert.Equal(1, after.Get("liveim_gateway_flood_closes_total") - before.Get("liveim_gateway_flood_closes_total"));

        // allowReconnect: the same user comes back and its call is admitted by the gateway. The line's status is the
        // room's decision: "ok", or "sampled" when the room's fair chat sampling (Chat:BudgetPerSecond) skips a user
        // whose flood lines it just admitted; either is an answer, not a refusal.
        await using var again = await _cluster.ConnectAsync(0, _cluster.Token("flooder"));
        await again.JoinRoomAsync(room);
        Assert.Contains((await again.SendChatAsync("sorry")).Status, new[] { "ok", "sampled" });
    }

    [Fact]
    public async Task A_frame_over_Limits_MaxMessageBytes_closes_only_its_sender()
    {
        var room = NewRoom("lim-frame");
        var (neighbour, received) = await NeighbourAsync(room);
        await using var _ = neighbour;
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var sender = await _cluster.ConnectAsync(0, _cluster.Token("big-sender"));
        await sender.JoinRoomAsync(room);

        // 3.5 KB fits under the 4 KB limit: the hub sees it and says what is wrong with it.
        var fits = await Assert.ThrowsAsync<RoomClientException>(() => sender.SendChatAsync(new string('a', 3500)));
        _output.WriteLine($"3.5 KB frame: {fits.Message}");
        Assert.Equal("invalid_argument", fits.Code);

        // Over the limit: a raw socket of the same user sends it, and only that connection is closed.
        await using var big = new RawHubSocket();
        await big.ConnectAsync(_cluster.Gateways[0], _cluster.Token("big-sender"));
        await big.JoinAsync(room);
        await big.SendRawAsync(Encoding.UTF8.GetBytes(
            "{\"type\":1,\"target\":\"SendChat\",\"arguments\":[\"" + new string('b', 5000) + "\"]}\u001e"));
        var reason = await big.ReadOutcomeAsync(null).WaitAsync(TimeSpan.FromSeconds(10));
        _output.WriteLine($"5 KB frame: connection closed ({reason})");
        Assert.True(reason.Kind is HubOutcomeKind.Closed or HubOutcomeKind.Dropped, $"the 5 KB frame's connection ends, got {reason}");
        Assert.True(sender.IsConnected, "the same user's other connection stays open");

        await streamer.SendGiftAsync("rose", 1, "after-big-frame");
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 1, "the neighbour keeps receiving");
    }

    [Fact]
    public async Task Limiter_state_is_created_on_a_first_call_and_leaves_with_its_connection()
    {
        // Gateway C: no other test of this collection connects there, so its counts are this test's alone.
        var gateway = _cluster.Gateways[2];
        var room = NewRoom("lim-leak");
        var callers = new List<RoomClient>();
        var viewers = new List<RoomClient>();
        var raw = new List<RawHubSocket>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var caller = await _cluster.ConnectAsync(2, _cluster.Token("caller" + i));
                callers.Add(caller);
                await caller.JoinRoomAsync(room);
                await caller.SendLikeAsync(1);
                await caller.LeaveRoomAsync();
            }

            for (var i = 0; i < 5; i++)
            {
                viewers.Add(await _cluster.ConnectAsync(2)); // connected, never calls: no limiter state
            }

            for (var i = 0; i < 5; i++)
            {
                var socket = new RawHubSocket();
                raw.Add(socket);
                await socket.ConnectAsync(gateway);
                await socket.JoinAsync(room);
            }

            var during = await GatewayMetrics.ScrapeAsync(gateway);
            _output.WriteLine($"with 10 callers, 5 silent viewers and 5 raw joiners: limiter_states={during.Get("liveim_gateway_limiter_states")}, " +
                $"admitted_connections={during.Get("liveim_gateway_admitted_connections")}, connection_ips={during.Get("liveim_gateway_connection_ips")}");
            Assert.Equal(15, during.Get("liveim_gateway_limiter_states"));
            Assert.Equal(20, during.Get("liveim_gateway_admitted_connections"));
            Assert.Equal(1, during.Get("liveim_gateway_connection_ips"));
        }
        finally
        {
            foreach (var client in callers.Concat(viewers))
            {
                await client.DisposeAsync(); // a clean close
            }

            foreach (var socket in raw)
            {
                await socket.DisposeAsync(); // an abort
            }
        }

        GatewayMetrics last = new("");
        await Eventually.TrueAsync(async () =>
        {
            last = await GatewayMetrics.ScrapeAsync(gateway);
            return last.Get("liveim_gateway_limiter_states") == 0 && last.Get("liveim_gateway_admitted_connections") == 0
                && last.Get("liveim_gateway_connection_ips") == 0;
        }, TimeSpan.FromSeconds(20), "every connection's limiter state and door count is gone after it disconnected");
        _output.WriteLine("after disconnecting all: limiter_states=0, admitted_connections=0, connection_ips=0");
    }

    private async Task<(RoomClient Client, EventCollector Received)> NeighbourAsync(string room)
    {
        var neighbour = await _cluster.ConnectAsync(0);
        var received = new EventCollector(neighbour);
        await neighbour.JoinRoomAsync(room);
        return (neighbour, received);
    }

    [Fact]
    public async Task An_anonymous_viewer_has_its_own_smaller_limit_of_calls_in_progress_and_stays_connected()
    {
        var room = NewRoom("lim-anon");
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var viewer = await _cluster.ConnectAsync(0); // no token
        var received = new EventCollector(viewer);

        // Joins queue on the connection's membership lock behind the first one's RoomService round trip, so they stay
        // in progress: past Limits:AnonymousMaxPendingInvocations (2) the rest are refused at once.
        var calls = Enumerable.Range(0, 20).Select(_ => JoinOutcome(viewer.JoinRoomAsync(room))).ToArray();
        var outcomes = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, not a timing claim
        foreach (var outcome in outcomes.Distinct())
        {
            _output.WriteLine($"{outcomes.Count(o => o == outcome)} x {outcome}");
        }

        Assert.Contains("ok", outcomes);
        Assert.Contains(outcomes, o => o.StartsWith("rate_limited: more than 2 calls in progress per connection retryAfterMs=", StringComparison.Ordinal));
        Assert.All(outcomes, o => Assert.True(o == "ok" || o.StartsWith("rate_limited: ", StringComparison.Ordinal), o));
        Assert.DoesNotContain(outcomes, o => o.Contains("more than 4", StringComparison.Ordinal));

        // Joined, connected, and watching.
        await streamer.SendGiftAsync("rose", 1, "after-anon-burst");
        await received.WaitForAsync(e => e.Any(x => x.Type == "gift"), "the anonymous viewer gets the gift");
    }

    private static async Task<string> JoinOutcome(Task<JoinResult> call)
    {
        try
        {
            await call;
            return "ok";
        }
        catch (RoomClientException ex)
        {
            return ex.Message;
        }
    }

    private static async Task<string> Outcome(Task<GiftResult> call)
    {
        try
        {
            return (await call).Status;
        }
        catch (RoomClientException ex)
        {
            return ex.Message;
        }
    }
}
