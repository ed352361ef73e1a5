using System.Diagnostics;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The limits that hold across connections and gateways, decided in RoomService and Redis: per-user chat and gift
/// rates, slow mode, the room's gift rate. Each test checks the refusal (code, retryAfterMs), that a retry after
/// retryAfterMs succeeds, and that a well-behaved member of the same room sees no change.
/// No assertion depends on how fast the machine is: where real time matters, the test counts what the limit
/// allowed against the time that passed.
/// </summary>
[Collection(SharedLimitsCollection.Name)]
public sealed class SharedLimitsTests
{
    private readonly SharedLimitsCluster _cluster;
    private readonly ITestOutputHelper _output;

    public SharedLimitsTests(SharedLimitsCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task One_user_with_connections_on_three_gateways_shares_one_chat_budget()
    {
        var room = NewId("tabs");
        var user = NewId("tabby");
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var calm = await _cluster.ConnectAsync(1, _cluster.Token(NewId("calm")));
        await calm.JoinRoomAsync(room);
        var tabs = new List<RoomClient>();
        for (var gateway = 0; gateway < 3; gateway++)
        {
            var tab = await _cluster.ConnectAsync(gateway, _cluster.Token(user));
            await tab.JoinRoomAsync(room);
            tabs.Add(tab);
        }

        try
        {
            // Round robin over the three gateways until refused. Three separate budgets would allow 15 at once.
            var ok = 0;
            RoomClientException? refused = null;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 60 && refused is null; i++)
            {
                try
                {
                    Assert.Equal("ok", (await tabs[i % 3].SendChatAsync($"line {i}")).Status);
                    ok++;
                }
                catch (RoomClientException ex)
                {
                    refused = ex;
                }
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            _output.WriteLine($"{ok} lines in {elapsed:0.000} s, then: {refused?.Message}");
            Assert.NotNull(refused);
            Assert.Equal("rate_limited", refused.Code);
            Assert.InRange(refused.RetryAfterMs!.Value, 1, 500);
            Assert.InRange(ok, 5, 5 + (int)Math.Ceiling(elapsed * 2)); // burst 5, then 2/s: one budget for all tabs

            Assert.Equal("ok", (await calm.SendChatAsync("another user is not affected")).Status);
            await RetryAfter.WaitAsync(refused.RetryAfterMs.Value);
            Assert.Equal("ok", (await tabs[2].SendChatAsync("after retryAfterMs")).Status);

            await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == ok + 2, "every admitted line, and no refused one");
            var texts = received.OfType(RoomEventTypes.Chat).Select(e => e.Text).ToList();
            Assert.Contains("another user is not affected", texts);
            Assert.Contains("after retryAfterMs", texts);
            Assert.DoesNotContain($"line {ok}", texts);
        }
        finally
        {
            foreach (var tab in tabs)
            {
                await tab.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Slow_mode_allows_one_line_per_viewer_per_interval_and_exempts_the_streamer()
    {
        var room = NewId("slow");
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var host = await _cluster.ConnectAsync(1, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        await using var viewer = await _cluster.ConnectAsync(2, _cluster.Token(NewId("viewer")));
        await viewer.JoinRoomAsync(room);
        await using var other = await _cluster.ConnectAsync(0, _cluster.Token(NewId("other")));
        await other.JoinRoomAsync(room);

        var set = await host.SetSlowModeAsync(3);
        Assert.True(set.Seq > 0);
        Assert.Equal("ok", (await viewer.SendChatAsync("first")).Status);
        var refused = await Assert.ThrowsAsync<RoomClientException>(() => viewer.SendChatAsync("too soon"));
        _output.WriteLine(refused.Message);
        Assert.Equal("rate_limited", refused.Code);
        Assert.Contains("slow mode", refused.Message, StringComparison.Ordinal);
        Assert.InRange(refused.RetryAfterMs!.Value, 1, 3000);
        Assert.Equal("ok", (await other.SendChatAsync("each viewer has their own interval")).Status);
        Assert.Equal("ok", (await host.SendChatAsync("the streamer is exempt")).Status);
        Assert.Equal("ok", (await host.SendChatAsync("twice")).Status);

        await RetryAfter.WaitAsync(refused.RetryAfterMs.Value);
        Assert.Equal("ok", (await viewer.SendChatAsync("after retryAfterMs")).Status);

        await host.SetSlowModeAsync(0);
        Assert.Equal("ok", (await viewer.SendChatAsync("off again")).Status);
        Assert.Equal("ok", (await viewer.SendChatAsync("and again")).Status);

        await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Chat) == 7, "the seven admitted lines");
        Assert.DoesNotContain("too soon", received.OfType(RoomEventTypes.Chat).Select(e => e.Text));
        var modes = received.OfType(RoomEventTypes.SlowMode);
        Assert.Equal([3, 0], modes.Select(e => e.Moderation!.Seconds!.Value));
        Assert.All(modes, e => Assert.Equal(Lane.System, e.Lane));
    }

    [Fact]
    public async Task The_room_gift_rate_refuses_new_gifts_with_retry_after_and_never_touches_accepted_ones()
    {
        var room = NewId("gifts");
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        var givers = new List<RoomClient>();
        for (var i = 0; i < 12; i++)
        {
            var giver = await _cluster.ConnectAsync(i % 3, _cluster.Token(NewId("giver")));
            await giver.JoinRoomAsync(room);
            givers.Add(giver);
        }

        try
        {
            // Round robin over twelve users (each stays within its own 3-gift burst) until the room refuses.
            var accepted = new List<(int Giver, string ClientMsgId, GiftResult Result)>();
            RoomClientException? refused = null;
            var refusedAt = (Giver: -1, ClientMsgId: "");
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 36 && refused is null; i++)
            {
                var clientMsgId = "g" + i;
                try
                {
                    accepted.Add((i % 12, clientMsgId, await givers[i % 12].SendGiftAsync("rose", 1, clientMsgId)));
                }
                catch (RoomClientException ex)
                {
                    refused = ex;
                    refusedAt = (i % 12, clientMsgId);
                }
            }

            var elapsed = clock.Elapsed.TotalSeconds;
            _output.WriteLine($"{accepted.Count} gifts in {elapsed:0.000} s, then: {refused?.Message}");
            Assert.NotNull(refused);
            Assert.Equal("rate_limited", refused.Code);
            Assert.Contains("room", refused.Message, StringComparison.Ordinal);
            Assert.InRange(refused.RetryAfterMs!.Value, 1, 200);
            Assert.InRange(accepted.Count, 8, 8 + (int)Math.Ceiling(elapsed * 5));

            // Accepted gifts stay accepted: their retries are duplicates, not refusals.
            foreach (var (giver, clientMsgId, result) in accepted.Take(3))
            {
                var again = await givers[giver].SendGiftAsync("rose", 1, clientMsgId);
                Assert.Equal(("duplicate", result.Seq), (again.Status, again.Seq));
            }

            await RetryAfter.WaitAsync(refused.RetryAfterMs.Value);
            var retried = await givers[refusedAt.Giver].SendGiftAsync("rose", 1, refusedAt.ClientMsgId);
            Assert.Equal("ok", retried.Status);

            var expected = accepted.Count + 1;
            await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Gift) == expected, "every accepted gift once");
            Assert.Equal(Enumerable.Range(1, expected).Select(s => (long?)s), received.OfType(RoomEventTypes.Gift).Select(e => e.Seq));
        }
        finally
        {
            foreach (var giver in givers)
            {
                await giver.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_gift_retry_with_the_same_client_id_is_never_rate_limited_nor_charged()
    {
        var room = NewId("dup");
        await using var watcher = await _cluster.ConnectAsync(0);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);
        await using var giver = await _cluster.ConnectAsync(1, _cluster.Token(NewId("giver")));
        await giver.JoinRoomAsync(room);

        var accepted = new List<(string ClientMsgId, GiftResult Result)>();
        RoomClientException? refused = null;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 30 && refused is null; i++)
        {
            try
            {
                accepted.Add(("m" + i, await giver.SendGiftAsync("rose", 1, "m" + i)));
            }
            catch (RoomClientException ex)
            {
                refused = ex;
            }
        }

        _output.WriteLine($"{accepted.Count} gifts in {clock.Elapsed.TotalSeconds:0.000} s, then: {refused?.Message}");
        Assert.NotNull(refused);
        Assert.Equal("rate_limited", refused.Code);
        Assert.Contains("user", refused.Message, StringComparison.Ordinal);
        Assert.InRange(refused.RetryAfterMs!.Value, 1, 500);
        Assert.InRange(accepted.Count, 3, 3 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds * 2));

        // The user's budget is empty, yet every retry of an accepted gift is answered, as a duplicate.
        for (var round = 0; round < 3; round++)
        {
            foreach (var (clientMsgId, result) in accepted)
            {
                var again = await giver.SendGiftAsync("rose", 1, clientMsgId);
                Assert.Equal(("duplicate", result.Id, result.Seq), (again.Status, again.Id, again.Seq));
            }
        }

        // And they cost nothing: a new gift goes through once the refusal's retryAfterMs has passed.
        await RetryAfter.WaitAsync(refused.RetryAfterMs.Value);
        Assert.Equal("ok", (await giver.SendGiftAsync("rose", 1, "after-wait")).Status);
        await received.WaitForAsync(e => e.Count(x => x.Type == RoomEventTypes.Gift) == accepted.Count + 1, "each gift once");
        await Task.Delay(200);
        Assert.Equal(accepted.Count + 1, received.OfType(RoomEventTypes.Gift).Count);
    }
}
