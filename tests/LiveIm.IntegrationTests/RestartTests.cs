using System.Diagnostics;
using LiveIm.Client;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>NATS and Redis going away is survivable: sends fail fast with unavailable, everything heals by itself.</summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartTests
{
    private readonly LiveImCluster _cluster;

    public RestartTests(LiveImCluster cluster)
    {
        _cluster = cluster;
    }

    [Fact]
    public async Task Restarting_nats_server_heals_without_restarting_our_processes_and_no_gift_is_lost()
    {
        var room = "nats-restart-" + Guid.NewGuid().ToString("N")[..8];
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("nats-fan"));
        await fan.JoinRoomAsync(room);
        await fan.SendGiftAsync("rose", 1, "g-before");

        await _cluster.Nats.StopAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RoomClientException>(() => fan.SendChatAsync("into the void"));
            Assert.Equal("unavailable", error.Code);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"fails fast, took {watch.Elapsed}");
        }
        finally
        {
            await _cluster.Nats.StartAsync();
        }

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await fan.SendGiftAsync("rose", 1, "g-after");
                return true;
            }
            catch (RoomClientException e) when (e.Code == "unavailable")
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "gifts go through again after nats-server restarts");

        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "both gifts reach the viewer (live or by repair)", seconds: 10);
        Assert.Equal(new long?[] { 1, 2 }, received.OfType("gift").Select(g => g.Seq).ToArray());
        await fan.SendChatAsync("back");
        await received.WaitForAsync(e => e.Any(x => x.Text == "back"), "live chat flows again");
    }

    private static async Task<(int Status, string Body)> ReadyAsync(Uri service)
    {
        using var http = new HttpClient { BaseAddress = service, Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync("/readyz");
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Restarting_redis_server_heals_without_restarting_our_processes()
    {
        var room = "redis-restart-" + Guid.NewGuid().ToString("N")[..8];
        await using var viewer = await _cluster.ConnectAsync(0);
        var received = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("redis-fan"));
        await fan.JoinRoomAsync(room);

        Assert.Equal((200, "ready"), await ReadyAsync(_cluster.RoomServiceUrl));
        await _cluster.Redis.StopAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<RoomClientException>(() => fan.SendGiftAsync("rose", 1, "during-outage"));
            Assert.Equal("unavailable", error.Code);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1.5), $"fails fast, took {watch.Elapsed}");

            // Not ready while Redis is away, on RoomService and on every gateway, saying why.
            foreach (var url in _cluster.Gateways.Prepend(_cluster.RoomServiceUrl))
            {
                await Eventually.TrueAsync(async () => await ReadyAsync(url) is (503, var body) && body.Contains("redis", StringComparison.Ordinal),
                    TimeSpan.FromSeconds(10), $"{url}readyz says 503 not ready: redis ...");
            }
        }
        finally
        {
            await _cluster.Redis.StartAsync();
        }

        foreach (var url in _cluster.Gateways.Prepend(_cluster.RoomServiceUrl))
        {
            await Eventually.TrueAsync(async () => await ReadyAsync(url) is (200, "ready"), TimeSpan.FromSeconds(15), $"{url}readyz is ready again");
        }

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await fan.SendGiftAsync("rose", 1, "after-outage");
                return true;
            }
            catch (RoomClientException e) when (e.Code == "unavailable")
            {
                return false;
            }
        }, TimeSpan.FromSeconds(15), "gifts go through again after redis-server restarts (scripts reloaded on NOSCRIPT)");
        await received.WaitForAsync(e => e.Any(x => x.Type == "gift"), "the gift after the restart arrives");
    }
}
