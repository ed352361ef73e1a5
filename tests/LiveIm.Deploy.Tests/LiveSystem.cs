using System.Net;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Scaling;

namespace LiveIm.Deploy.Tests;

/// <summary>
/// RoomService and two gateways as processes (with nats-server and redis-server) and steady traffic through both
/// gateways: viewers in one room on each (a hot room of 1,020 on the first), a streamer sending chat lines and gifts on each. Shared by the tests that
/// read what the processes export and by the one that runs Prometheus against them.
/// </summary>
public sealed class LiveSystem : IAsyncLifetime
{
    private const string Room = "deploy-metrics";

    /// <summary>Viewers of the room on gateway 1: enough for it to count as a hot room there.</summary>
    private const int HotRoomViewers = LiveIm.RoomGateway.Delivery.FanoutMetrics.HotRoomMembers + 20;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ReceiverPool> _viewers = [];
    private readonly List<Publisher> _publishers = [];
    private LocalCluster? _cluster;
    private Task? _traffic;
    private long _sent;

    /// <summary>The processes.</summary>
    internal LocalCluster Cluster => _cluster ?? throw new InvalidOperationException("not started");

    /// <summary>Interactions sent so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    public async Task InitializeAsync()
    {
        _cluster = await LocalCluster.StartAsync(2, openLimits: true, _ => { }, CancellationToken.None);
        var sources = new SourceAddresses(1);
        for (var g = 0; g < _cluster.GatewayPorts.Count; g++)
        {
            // Gateway 1 holds a hot room (the per-room tick and flush gauges start at FanoutMetrics.HotRoomMembers).
            var count = g == 0 ? HotRoomViewers : 3;
            var viewers = new ReceiverPool(count, 1_000, new IPEndPoint(IPAddress.Loopback, _cluster.GatewayPorts[g]), Room, sources);
            _viewers.Add(viewers);
            var storm = await viewers.ConnectAllAsync(1_000, 32, TimeSpan.FromSeconds(15), _ => { });
            Assert.True(storm.Failed == 0, storm.LastError);
        }

        for (var g = 0; g < _cluster.GatewayUrls.Count; g++)
        {
            var publisher = await Publisher.ConnectAsync(new Uri(_cluster.GatewayUrls[g], "/hubs/room"), _cluster.StreamerToken(Room), Room, CancellationToken.None);
            _publishers.Add(publisher);
            Assert.True(await publisher.RoundTripAsync("deploy-check-" + g, TimeSpan.FromSeconds(15)), publisher.LastError);
        }

        _traffic = Task.Run(TrafficAsync);
    }

    /// <summary>Every metric name (sample names: histograms' _bucket, _sum and _count) the processes export now.</summary>
    public async Task<HashSet<string>> ExportedNamesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var url in Cluster.GatewayUrls.Append(Cluster.RoomServiceUrl))
        {
            var text = await http.GetStringAsync(new Uri(url, "/metrics"));
            foreach (var line in text.Split('\n'))
            {
                if (line.Length > 0 && line[0] != '#')
                {
                    names.Add(line[..line.IndexOfAny(['{', ' '])]);
                }
            }
        }

        return names;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_traffic is not null)
        {
            await _traffic;
        }

        foreach (var publisher in _publishers)
        {
            await publisher.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        foreach (var viewers in _viewers)
        {
            viewers.Dispose();
        }

        _stop.Dispose();
    }

    // A chat line and, every fifth time, a gift on each gateway every 200 ms: every rate() and histogram the
    // dashboard reads keeps moving.
    private async Task TrafficAsync()
    {
        for (long n = 0; !_stop.IsCancellationRequested; n++)
        {
            foreach (var publisher in _publishers)
            {
                await publisher.SendChatAsync("traffic " + n, CancellationToken.None);
                if (n % 5 == 0)
                {
                    await publisher.SendGiftAsync($"g{n}_0", Guid.NewGuid().ToString("N"), CancellationToken.None);
                }

                Interlocked.Increment(ref _sent);
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
