using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Scaling in without losing a gift: three gateway processes, a streamer sending gifts throughout, viewers spread over
/// the three; one gateway gets SIGTERM and drains. Counts, not timings, decide (the reconnect rate is a count per
/// one-second window, with a generous tolerance).
/// </summary>
[Collection(DrainCollection.Name)]
public sealed class GracefulDrainTests
{
    private const int ViewersPerGateway = 12;

    private readonly DrainCluster _cluster;
    private readonly ITestOutputHelper _output;

    public GracefulDrainTests(DrainCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private sealed class Viewer
    {
        public required RoomClient Client { get; init; }

        public List<long> GiftSeqs { get; } = new();

        public int ReconnectRequests;

        public double? ReconnectedAtSeconds { get; set; }

        /// <summary>When the gateway told it to reconnect: receipt of the event + its delayMs.</summary>
        public double? ScheduledAtSeconds { get; set; }

        public long[] Gifts()
        {
            lock (GiftSeqs)
            {
                return GiftSeqs.ToArray();
            }
        }
    }

    [Fact]
    public async Task Draining_a_gateway_moves_every_viewer_to_the_others_spread_out_and_every_gift_arrives_exactly_once()
    {
        var room = "drain-" + Guid.NewGuid().ToString("N")[..8];
        var drained = _cluster.Gateways[0];
        var urls = _cluster.Gateways.Select(g => g.Url).ToArray();
        var clock = Stopwatch.StartNew();

        // Real gateways reporting: assignment answers only the three process gateways, by their listening URLs.
        var (firstId, firstUrl) = await _cluster.AssignAsync(room);
        Assert.StartsWith("gwDrain", firstId, StringComparison.Ordinal);
        Assert.Contains(new Uri(firstUrl), urls);

        await using var streamer = new RoomClient(new RoomClientOptions
        {
            GatewayUrl = urls[1], AccessToken = _cluster.Tokens.Issue("st-" + room, "Streamer", Roles.Streamer, room, TimeSpan.FromHours(1)),
        });
        await streamer.ConnectAsync();
        await streamer.JoinRoomAsync(room);

        // Viewers on every gateway; half move through the assignment endpoint, half through a list of gateways.
        var viewers = new List<Viewer>();
        for (var i = 0; i < 3 * ViewersPerGateway; i++)
        {
            var client = new RoomClient(new RoomClientOptions
            {
                GatewayUrl = urls[i % 3],
                RoomServiceUrl = i % 2 == 0 ? _cluster.RoomServiceUrl : null,
                Gateways = i % 2 == 0 ? null : urls,
            });
            var viewer = new Viewer { Client = client };
            client.EventsReceived += batch =>
            {
                lock (viewer.GiftSeqs)
                {
                    viewer.GiftSeqs.AddRange(batch.Where(e => e.Lane == Lane.Gift).Select(e => e.Seq!.Value));
                }
            };
            client.ReconnectRequested += r =>
            {
                viewer.ScheduledAtSeconds = clock.Elapsed.TotalSeconds + (r.DelayMs / 1000.0);
                Interlocked.Increment(ref viewer.ReconnectRequests);
            };
            client.Reconnected += _ => viewer.ReconnectedAtSeconds = clock.Elapsed.TotalSeconds;
            await client.ConnectAsync();
            await client.JoinRoomAsync(room);
            viewers.Add(viewer);
        }

        // One viewer on the drained gateway ignores reconnect (a raw socket, reading until its close message): the
        // deadline closes it, coded, reconnect allowed.
        await using var stubborn = new RawHubSocket(receiveBufferBytes: 256 * 1024);
        await stubborn.ConnectAsync(urls[0]);
        await stubborn.JoinAsync(room);
        var stubbornClosed = stubborn.ReadOutcomeAsync(null);

        var acked = new ConcurrentBag<long>();
        using var stopGifts = new CancellationTokenSource();
        var gifts = Task.Run(async () =>
        {
            for (var i = 0; !stopGifts.IsCancellationRequested; i++)
            {
                while (true)
                {
                    try
                    {
                        acked.Add((await streamer.SendGiftAsync("rose", 1, "drain-gift-" + i)).Seq);
                        break;
                    }
                    catch (RoomClientException)
                    {
                        await Task.Delay(100); // same clientMsgId: never twice
                    }
                }

                await Task.Delay(100);
            }
        });
        await Eventually.TrueAsync(() => acked.Count >= 5, TimeSpan.FromSeconds(10), "gifts flow before the drain");

        var moving = viewers.Where(v => v.Client.GatewayUrl == urls[0]).ToList();
        Assert.Equal(ViewersPerGateway, moving.Count);
        var drainStart = clock.Elapsed.TotalSeconds;
        await drained.TerminateAsync();

        // At once: not ready, refused at the door, out of assignment, draining on its meter.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            using var ready = await http.GetAsync(new Uri(urls[0], "/readyz"));
            return (int)ready.StatusCode == 503 && (await ready.Content.ReadAsStringAsync()).Contains("draining", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(5), "the drained gateway's /readyz says 503 draining");
        var refused = await Assert.ThrowsAsync<RoomConnectException>(async () =>
        {
            await using var late = new RoomClient(new RoomClientOptions { GatewayUrl = urls[0] });
            await late.ConnectAsync();
        });
        _output.WriteLine($"new connection while draining: HTTP {refused.StatusCode}: {refused.Message}");
        Assert.Equal(503, refused.StatusCode);
        using (var door = await http.GetAsync(new Uri(urls[0], "/hubs/room")))
        {
            var body = await door.Content.ReadAsStringAsync();
            Assert.Equal(503, (int)door.StatusCode);
            Assert.StartsWith("unavailable: draining", body, StringComparison.Ordinal);
            Assert.NotNull(door.Headers.RetryAfter);
        }

        await Eventually.TrueAsync(() => moving.Any(v => Volatile.Read(ref v.ReconnectRequests) > 0), TimeSpan.FromSeconds(5), "reconnect events arrive");
        for (var i = 0; i < 20; i++)
        {
            Assert.NotEqual("gwDrain0", (await _cluster.AssignAsync(room)).GatewayId);
        }

        var metrics = await GatewayMetrics.ScrapeAsync(urls[0]);
        Assert.Equal(1, metrics.Get("liveim_gateway_draining"));
        await Eventually.TrueAsync(
            async () => (await GatewayMetrics.ScrapeAsync(urls[0])).Get("liveim_gateway_reconnects_sent_total") == ViewersPerGateway + 1,
            TimeSpan.FromSeconds(5), "one reconnect event per connection of the drained gateway");

        // The admin endpoint wants the token (the drain already runs: a second start is a no-op).
        using (var noToken = await http.PostAsync(new Uri(urls[0], "/admin/drain"), null))
        {
            Assert.Equal(401, (int)noToken.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Post, new Uri(urls[0], "/admin/drain")))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LiveImCluster.AdminToken);
            using var withToken = await http.SendAsync(request);
            Assert.Equal(202, (int)withToken.StatusCode);
        }

        await Eventually.TrueAsync(() => moving.All(v => v.ReconnectedAtSeconds is not null), TimeSpan.FromSeconds(20), "every viewer of the drained gateway moved");
        Assert.All(viewers, v => Assert.NotEqual(urls[0], v.Client.GatewayUrl));
        Assert.All(viewers.Except(moving), v => Assert.Null(v.ReconnectedAtSeconds));

        // The stubborn one is closed at the deadline with a coded close message, and the process exits.
        var closedBy = await stubbornClosed.WaitAsync(TimeSpan.FromSeconds(DrainCluster.DeadlineSeconds + 10));
        _output.WriteLine($"left at the deadline: closed after {clock.Elapsed.TotalSeconds - drainStart:0.0} s with '{closedBy}', allowReconnect {stubborn.CloseAllowsReconnect}");
        Assert.Equal(HubOutcomeKind.Closed, closedBy.Kind);
        Assert.StartsWith("unavailable:", closedBy.Text, StringComparison.Ordinal);
        Assert.True(stubborn.CloseAllowsReconnect);
        await Eventually.TrueAsync(() => !drained.IsRunning, TimeSpan.FromSeconds(15), "the drained gateway exits after its drain");

        // Gifts kept flowing across the move; then every viewer has every acknowledged gift exactly once.
        var before = acked.Count;
        await Eventually.TrueAsync(() => acked.Count >= before + 5, TimeSpan.FromSeconds(10), "gifts still flow after the drain");
        await stopGifts.CancelAsync();
        await gifts;
        var expected = acked.OrderBy(s => s).ToArray();
        Assert.Equal(Enumerable.Range(1, expected.Length).Select(i => (long)i), expected);
        await Eventually.TrueAsync(
            () => viewers.All(v => v.Gifts().Distinct().Count() == expected.Length),
            TimeSpan.FromSeconds(15), "every viewer received every gift");
        Assert.All(viewers, v => Assert.Equal(expected, v.Gifts().Order()));

        // No stampede. What the gateway decides (when each client is told to come back) must stay within
        // N / spread x 1.5 + 2 in any one-second window; what the other gateways saw (each move completed: connected
        // and joined again) adds the clients' own scheduling noise on two shared cores, so it gets twice the rate.
        var scheduled = moving.Select(v => v.ScheduledAtSeconds!.Value - drainStart).Order().ToArray();
        var done = moving.Select(v => v.ReconnectedAtSeconds!.Value - drainStart).Order().ToArray();
        var rate = ViewersPerGateway / DrainCluster.SpreadSeconds;
        var scheduledPeak = PeakPerSecond(scheduled);
        var donePeak = PeakPerSecond(done);
        _output.WriteLine($"{expected.Length} gifts; {moving.Count} viewers told to reconnect between {scheduled[0]:0.00} s and {scheduled[^1]:0.00} s after SIGTERM "
            + $"(peak {scheduledPeak} in a 1-s window, even spread {rate:0.#}/s), moved between {done[0]:0.00} s and {done[^1]:0.00} s (peak {donePeak} in a 1-s window)");
        Assert.True(scheduledPeak <= (rate * 1.5) + 2, $"{scheduledPeak} reconnects scheduled in one second");
        Assert.True(donePeak <= (rate * 2) + 2, $"{donePeak} reconnects completed in one second");
        Assert.True(scheduled[^1] - scheduled[0] >= DrainCluster.SpreadSeconds / 2, "the reconnects are spread over the drain");

        foreach (var viewer in viewers)
        {
            await viewer.Client.DisposeAsync();
        }
    }

    // The most times within any window [t, t + 1 s) that starts at one of them.
    private static int PeakPerSecond(double[] sortedTimes) => sortedTimes.Max(t => sortedTimes.Count(u => u >= t && u < t + 1));
}
