using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Client;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// LiveIm on a three-node NATS cluster: two RoomService instances and three gateways spread over the nodes, each
/// given only its own node's URL (the rest it learns from the cluster). A node dies under a steady stream of gifts
/// and comes back; viewers notice nothing.
/// </summary>
public sealed class NatsClusterFailoverTests : IAsyncLifetime
{
    private const int Rooms = 2;
    private readonly ITestOutputHelper _output;
    private readonly List<InProcessHost> _hosts = [];
    private readonly LiveImTokens _tokens = new(new AuthSettings { SigningKey = LiveImCluster.SigningKey });
    private NatsCluster _nats = null!;
    private RedisServer _redis = null!;
    private Uri[] _gateways = [];

    public NatsClusterFailoverTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _nats = await NatsCluster.StartAsync();
        _redis = await RedisServer.StartNewAsync();
        Dictionary<string, string?> On(int node, string? gatewayId = null) => new()
        {
            ["Nats:Url"] = _nats.Nodes[node].Url,
            ["Redis:EndPoint"] = _redis.EndPoint,
            ["Gateway:Id"] = gatewayId,
        };
        _hosts.Add(await InProcessHost.RoomServiceAsync(On(0)));
        _hosts.Add(await InProcessHost.RoomServiceAsync(On(1)));
        var gateways = new List<Uri>();
        for (var i = 0; i < 3; i++)
        {
            var gateway = await InProcessHost.GatewayAsync(On(i, "gw" + (i + 1)));
            _hosts.Add(gateway);
            gateways.Add(gateway.Url);
        }

        _gateways = gateways.ToArray();
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

    private string Token(string user, string role = Roles.Viewer, string? room = null) =>
        _tokens.Issue(user, user, role, room, TimeSpan.FromHours(1));

    private async Task<RoomClient> JoinAsync(int gateway, string token, string room)
    {
        var client = new RoomClient(new RoomClientOptions { GatewayUrl = _gateways[gateway], AccessToken = token });
        await client.ConnectAsync();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.JoinRoomAsync(room);
                return true;
            }
            catch (RoomClientException e) when (e.Code == "unavailable")
            {
                return false; // a gateway still connecting to NATS at start
            }
        }, TimeSpan.FromSeconds(20), $"joins {room} on gateway {gateway + 1}");
        return client;
    }

    [Fact]
    public async Task Killing_the_node_of_a_gateway_moves_it_to_another_within_2_seconds_and_every_viewer_gets_every_acknowledged_gift_once_in_order()
    {
        var rooms = Enumerable.Range(0, Rooms).Select(_ => "nc-" + Guid.NewGuid().ToString("N")[..8]).ToArray();
        var viewers = new List<(string Room, int Gateway, RoomClient Client, EventCollector Events)>();
        var senders = new List<(string Room, string Name, RoomClient Client)>();
        var closed = 0;
        foreach (var room in rooms)
        {
            for (var gateway = 0; gateway < 3; gateway++)
            {
                var viewer = await JoinAsync(gateway, Token($"viewer-{room}-{gateway}"), room);
                viewer.Closed += _ => { Interlocked.Increment(ref closed); return Task.CompletedTask; };
                viewers.Add((room, gateway, viewer, new EventCollector(viewer)));
                var name = $"sender-{room}-{gateway}";
                senders.Add((room, name, await JoinAsync(gateway, Token(name, Roles.Streamer, room), room)));
            }
        }

        // Every sender: a gift every 100 ms, each retried with the same clientMsgId until acknowledged.
        var acked = new ConcurrentDictionary<string, ConcurrentDictionary<long, long>>(); // room -> id -> seq
        var retries = 0;
        using var stop = new CancellationTokenSource();
        var streams = senders.Select(s => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var clientMsgId = $"{s.Name}-{n}";
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        var result = await s.Client.SendGiftAsync("rose", 1, clientMsgId);
                        acked.GetOrAdd(s.Room, _ => new()).TryAdd(result.Id, result.Seq);
                        break;
                    }
                    catch (RoomClientException e) when (e.Code == "unavailable" && attempt < 100)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(100);
                    }
                }

                await Task.Delay(100);
            }
        })).ToList();

        int Acked() => acked.Values.Sum(r => r.Count);
        await Eventually.TrueAsync(() => Acked() >= 30, TimeSpan.FromSeconds(10), "gifts flow before the kill");
        await Task.Delay(1000);
        var doomed = _nats.Nodes[2];
        Assert.Equal(doomed, await _nats.NodeOfClientAsync("gateway:gw3"));

        var watch = Stopwatch.StartNew();
        await doomed.StopAsync(); // SIGKILL
        NatsServer? moved = null;
        await Eventually.TrueAsync(async () => (moved = await _nats.NodeOfClientAsync("gateway:gw3")) is not null, TimeSpan.FromSeconds(5), "gateway 3 is on another node");
        var movedAfter = watch.Elapsed;
        _output.WriteLine($"gateway 3 on {moved!.Url} {movedAfter.TotalMilliseconds:0} ms after the kill");
        Assert.True(movedAfter < TimeSpan.FromSeconds(2), $"gateway 3 moved after {movedAfter}");

        var atKill = Acked();
        await Eventually.TrueAsync(() => Acked() >= atKill + 30, TimeSpan.FromSeconds(15), "gifts flow after the kill");
        await Task.Delay(1000);

        // The node comes back (same ports, routes re-formed); nothing changes for the viewers.
        await doomed.StartAsync();
        await _nats.WaitForRoutesAsync(TimeSpan.FromSeconds(20));
        var atReturn = Acked();
        await Eventually.TrueAsync(() => Acked() >= atReturn + 30, TimeSpan.FromSeconds(15), "gifts flow after the node's return");
        await Task.Delay(1000);
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        _output.WriteLine($"{Acked()} gifts acknowledged, {retries} sends retried");

        foreach (var (room, gateway, _, events) in viewers)
        {
            var expected = acked[room];
            await events.WaitForAsync(
                e => e.Where(x => x.Type == "gift").Select(x => x.Id).Distinct().Count() >= expected.Count,
                $"the viewer of {room} on gateway {gateway + 1} has every acknowledged gift", seconds: 20);
            var gifts = events.OfType("gift");
            Assert.Equal(expected.Keys.Order(), gifts.Select(g => g.Id).Order()); // each exactly once, none extra
            Assert.Equal(Enumerable.Range(1, expected.Count).Select(i => (long?)i), gifts.Select(g => g.Seq).Order()); // contiguous
            Assert.All(gifts, g => Assert.Equal(expected[g.Id], g.Seq));
        }

        Assert.Equal(0, closed); // no viewer was disconnected or had to do anything
        foreach (var (_, _, client, _) in viewers)
        {
            await client.DisposeAsync();
        }

        foreach (var (_, _, client) in senders)
        {
            await client.DisposeAsync();
        }
    }
}
