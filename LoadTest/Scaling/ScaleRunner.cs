using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// One run of <c>LoadTest scale</c> per gateway count: the room's receivers spread evenly over every gateway, an idle
/// window, then a loaded window of the same length, each read from the processes themselves (CPU from /proc, counters
/// from /metrics, Redis's INFO commandstats, NATS's /varz). The idle window's cost per second is subtracted from the
/// loaded one, so presence and load reports (which grow with the gateway count by design, not with events) do not
/// count as per-event cost.
/// </summary>
internal static class ScaleRunner
{
    private const string PublishedMetric = "liveim_roomservice_events_published_total";
    private const string BusReceivedMetric = "liveim_gateway_bus_received_total";
    private const string DeliveriesMetric = "liveim_gateway_deliveries_total";

    /// <summary>Runs one gateway count.</summary>
    public static async Task<ScaleResult> RunAsync(int gateways, ScaleOptions o, Action<string> progress, CancellationToken ct)
    {
        progress($"scale: {gateways} gateway(s), {o.Receivers:N0} receivers");
        var pools = new List<ReceiverPool>();
        var cluster = await LocalCluster.StartAsync(gateways, openLimits: true, progress, ct).ConfigureAwait(false);
        Publisher? publisher = null;
        try
        {
            var room = "scale-" + gateways.ToString(CultureInfo.InvariantCulture);
            var sources = new SourceAddresses(2);
            for (var g = 0; g < gateways; g++)
            {
                var count = o.Receivers / gateways + (g < o.Receivers % gateways ? 1 : 0);
                var pool = new ReceiverPool(count, tracerEvery: 1_000, new IPEndPoint(IPAddress.Loopback, cluster.GatewayPorts[g]), room, sources);
                pools.Add(pool);
                var storm = await pool.ConnectAllAsync(1_000, 64, TimeSpan.FromSeconds(10), progress).ConfigureAwait(false);
                if (storm.Failed > 0)
                {
                    throw new InvalidOperationException($"{storm.Failed} receivers could not join on gateway {g + 1}: {storm.LastError}");
                }
            }

            publisher = await Publisher.ConnectAsync(new Uri(cluster.GatewayUrls[0], "/hubs/room"), cluster.StreamerToken(room), room, ct).ConfigureAwait(false);
            if (!await publisher.RoundTripAsync("scale-check-" + Guid.NewGuid().ToString("N"), TimeSpan.FromSeconds(15)).ConfigureAwait(false))
            {
                throw new InvalidOperationException("a chat line sent on gateway 1 did not come back: " + publisher.LastError);
            }

            // Joins change the room's online count: let presence report and broadcast it (two 2 s intervals) so the
            // idle window is idle.
            await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var window = TimeSpan.FromSeconds(o.Seconds);

            progress($"  idle window, {o.Seconds} s");
            var idleStart = await SnapshotAsync(cluster, pools, http, ct).ConfigureAwait(false);
            await Task.Delay(window, ct).ConfigureAwait(false);
            var idleEnd = await SnapshotAsync(cluster, pools, http, ct).ConfigureAwait(false);

            progress($"  loaded window: {o.ChatRate} chat lines/s + {o.GiftRate} gifts/s for {o.Seconds} s");
            var (chatSent, giftsSent, failed) = await SendAsync(publisher, o, window, ct).ConfigureAwait(false);
            await WaitForQuietAsync(pools, ct).ConfigureAwait(false);
            var loadedEnd = await SnapshotAsync(cluster, pools, http, ct).ConfigureAwait(false);
            cluster.EnsureRunning();

            return ScaleResult.From(gateways, o.Receivers, chatSent, giftsSent, failed, publisher.LastError, idleStart, idleEnd, loadedEnd);
        }
        finally
        {
            if (publisher is not null)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }

            // The servers first, then the receivers' sockets (no close handshakes, no TIME_WAIT on this side).
            await cluster.DisposeAsync().ConfigureAwait(false);
            foreach (var pool in pools)
            {
                pool.Dispose();
            }
        }
    }

    private static async Task<(long Chat, long Gifts, long Failed)> SendAsync(Publisher publisher, ScaleOptions o, TimeSpan window, CancellationToken ct)
    {
        // Open loop: send k of each kind is due at start + k / rate, so a slow server shows as queued sends.
        var sends = new List<Task<bool>>();
        var start = Stopwatch.GetTimestamp();
        long chat = 0, gifts = 0;
        var padding = new string('x', 80);
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= window)
            {
                break;
            }

            while (o.ChatRate > 0 && chat < elapsed.TotalSeconds * o.ChatRate)
            {
                sends.Add(publisher.SendChatAsync($"s{chat}-{padding}", ct));
                chat++;
            }

            while (o.GiftRate > 0 && gifts < elapsed.TotalSeconds * o.GiftRate)
            {
                sends.Add(publisher.SendGiftAsync($"g{gifts}_{Stopwatch.GetTimestamp()}", Guid.NewGuid().ToString("N"), ct));
                gifts++;
            }

            await Task.Delay(5, ct).ConfigureAwait(false);
        }

        var results = await Task.WhenAll(sends).ConfigureAwait(false);
        return (chat, gifts, results.LongCount(ok => !ok));
    }

    // Deliveries still arriving after the last send belong to the loaded window: wait until none came for 1.5 s.
    private static async Task WaitForQuietAsync(List<ReceiverPool> pools, CancellationToken ct)
    {
        var last = -1L;
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(15))
        {
            var now = pools.Sum(p => p.Snapshot().Frames);
            if (now == last)
            {
                return;
            }

            last = now;
            await Task.Delay(1_500, ct).ConfigureAwait(false);
        }
    }

    private static async Task<ClusterSnapshot> SnapshotAsync(LocalCluster cluster, List<ReceiverPool> pools, HttpClient http, CancellationToken ct)
    {
        var clock = Stopwatch.GetTimestamp();
        var roomService = await MetricsText.ScrapeAsync(http, cluster.RoomServiceUrl, ct).ConfigureAwait(false);
        Require(roomService, "RoomService", PublishedMetric);
        double busReceived = 0, deliveries = 0;
        foreach (var url in cluster.GatewayUrls)
        {
            var gateway = await MetricsText.ScrapeAsync(http, url, ct).ConfigureAwait(false);
            Require(gateway, "the gateway at " + url, BusReceivedMetric, DeliveriesMetric);
            busReceived += gateway.Sum(BusReceivedMetric);
            deliveries += gateway.Sum(DeliveriesMetric);
        }

        using var varz = JsonDocument.Parse(await cluster.Nats.MonitorAsync("varz").ConfigureAwait(false));
        var redisCalls = await RedisCommandStats.TotalCallsAsync(cluster.Redis.Port, ct).ConfigureAwait(false);
        var totals = pools.Select(p => p.Snapshot()).ToList();
        return new ClusterSnapshot(
            clock,
            ProcessStats.CpuSeconds(cluster.RoomServicePid) ?? double.NaN,
            cluster.GatewayPids.Sum(pid => ProcessStats.CpuSeconds(pid) ?? double.NaN),
            cluster.RedisPid is { } redis ? ProcessStats.CpuSeconds(redis) ?? double.NaN : double.NaN,
            redisCalls,
            roomService.Sum(PublishedMetric),
            busReceived,
            deliveries,
            varz.RootElement.GetProperty("in_msgs").GetInt64(),
            varz.RootElement.GetProperty("out_msgs").GetInt64(),
            totals.Sum(t => t.Chat + t.Gifts),
            totals.Sum(t => t.Bytes));
    }

    private static void Require(MetricsText metrics, string who, params string[] names)
    {
        foreach (var name in names)
        {
            if (!metrics.Names.Contains(name))
            {
                throw new InvalidOperationException($"{who} does not export {name} on /metrics (was it renamed? LoadTest scale reads it)");
            }
        }
    }
}
