using System.Diagnostics;
using LiveIm.Client;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A hang is not a crash: the only NATS node is stopped (SIGSTOP, its sockets stay open) for 5 s during a gift stream.
/// Sends fail within a bounded time with <c>unavailable</c>, <c>/readyz</c> says 503 meanwhile, and everything recovers
/// after SIGCONT without restarting anything.
/// </summary>
public sealed class NatsStoppedTests : IAsyncLifetime
{
    private readonly ITestOutputHelper _output;
    private readonly List<InProcessHost> _hosts = [];
    private readonly LiveImTokens _tokens = new(new AuthSettings { SigningKey = LiveImCluster.SigningKey });
    private NatsServer _nats = null!;
    private RedisServer _redis = null!;

    public NatsStoppedTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
        _redis = await RedisServer.StartNewAsync();
        var settings = new Dictionary<string, string?> { ["Nats:Url"] = _nats.Url, ["Redis:EndPoint"] = _redis.EndPoint };
        _hosts.Add(await InProcessHost.RoomServiceAsync(settings));
        _hosts.Add(await InProcessHost.GatewayAsync(new Dictionary<string, string?>(settings) { ["Gateway:Id"] = "gw-stopped" }));
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        await _nats.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task<(int Status, string Body)> ReadyAsync(Uri process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri(process, "/readyz"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sends_fail_within_the_request_timeout_readiness_is_503_while_NATS_is_stopped_and_all_recovers_after_it_continues()
    {
        var gateway = _hosts[1].Url;
        var room = "stop-" + Guid.NewGuid().ToString("N")[..8];
        await using var viewer = new RoomClient(new RoomClientOptions { GatewayUrl = gateway, AccessToken = _tokens.Issue("v", "V", Roles.Viewer, null, TimeSpan.FromHours(1)) });
        await using var sender = new RoomClient(new RoomClientOptions { GatewayUrl = gateway, AccessToken = _tokens.Issue("s", "S", Roles.Viewer, null, TimeSpan.FromHours(1)) });
        await viewer.ConnectAsync();
        await sender.ConnectAsync();
        var events = new EventCollector(viewer);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await viewer.JoinRoomAsync(room);
                await sender.JoinRoomAsync(room);
                return true;
            }
            catch (RoomClientException e) when (e.Code == "unavailable")
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "both join once the services reach NATS");
        var acked = new Dictionary<long, long>();
        async Task<bool> TryGiftAsync(string clientMsgId)
        {
            try
            {
                var result = await sender.SendGiftAsync("rose", 1, clientMsgId);
                acked[result.Id] = result.Seq;
                return true;
            }
            catch (RoomClientException e) when (e.Code == "unavailable")
            {
                return false;
            }
        }

        Assert.True(await TryGiftAsync("before"));
        Assert.Equal((200, "ready"), await ReadyAsync(gateway));

        await _nats.PauseAsync();
        var stopped = Stopwatch.StartNew();
        var failed = new List<string>();
        try
        {
            // Sends for 5 s: each fails with unavailable within the request timeout (2 s) plus scheduling, never hangs.
            for (var n = 0; stopped.Elapsed < TimeSpan.FromSeconds(5); n++)
            {
                var watch = Stopwatch.StartNew();
                var id = "during-" + n;
                Assert.False(await TryGiftAsync(id).WaitAsync(TimeSpan.FromSeconds(10)), "a gift was acknowledged while NATS was stopped");
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a send took {watch.Elapsed} to fail");
                failed.Add(id);
            }

            foreach (var process in _hosts.Select(h => h.Url))
            {
                var (status, body) = await ReadyAsync(process);
                Assert.Equal(503, status);
                Assert.StartsWith("not ready: bus", body, StringComparison.Ordinal);
                _output.WriteLine($"{process}: {body}");
            }
        }
        finally
        {
            await _nats.ResumeAsync();
        }

        foreach (var process in _hosts.Select(h => h.Url))
        {
            await Eventually.TrueAsync(async () => await ReadyAsync(process) is (200, "ready"), TimeSpan.FromSeconds(15), $"{process} is ready again");
        }

        // The refused gifts are retried with their clientMsgIds (some may have been stored when the server ran on
        // and read the requests it held), then the stream goes on.
        foreach (var id in failed.Append("after"))
        {
            await Eventually.TrueAsync(() => TryGiftAsync(id), TimeSpan.FromSeconds(15), $"gift {id} is acknowledged after NATS continues");
        }

        await events.WaitForAsync(e => e.Count(x => x.Type == "gift") >= acked.Count, "the viewer gets every acknowledged gift", seconds: 15);
        var gifts = events.OfType("gift");
        Assert.Equal(acked.Keys.Order(), gifts.Select(g => g.Id).Order());
        Assert.Equal(Enumerable.Range(1, acked.Count).Select(i => (long?)i), gifts.Select(g => g.Seq).Order());
        _output.WriteLine($"{failed.Count} sends failed while NATS was stopped; {acked.Count} gifts acknowledged in all");
    }
}
