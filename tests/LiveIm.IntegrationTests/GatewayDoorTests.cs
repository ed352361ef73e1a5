using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using LiveIm.Client;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The gateway-wide limits with real NATS and Redis: connections per IP (429), connections per gateway (503), joins
/// per second per gateway. Each test uses its own gateway of <see cref="GatewayDoorCluster"/>; in each, a viewer
/// already in the room receives every event sent while the door is shut.
/// </summary>
[Collection(GatewayDoorCollection.Name)]
public sealed class GatewayDoorTests
{
    private static readonly Regex RetryAfterMs = new(@" retryAfterMs=(\d+)$");

    private readonly GatewayDoorCluster _cluster;
    private readonly ITestOutputHelper _output;

    public GatewayDoorTests(GatewayDoorCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom(string what) => what + "-" + Guid.NewGuid().ToString("N")[..8];

    private static IPAddress Loopback(int last) => IPAddress.Parse("127.0.0." + last.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public async Task Connections_past_the_per_ip_cap_get_429_with_retry_after_while_other_addresses_and_a_neighbour_are_unaffected()
    {
        var gateway = _cluster.Gateways[1];
        var room = NewRoom("door-ip");
        await using var neighbour = await _cluster.ConnectAsync(1);
        var received = new EventCollector(neighbour);
        await JoinAsync(neighbour, room);
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("st-" + room, Roles.Streamer, room));
        await JoinAsync(streamer, room);
        var before = await GatewayMetrics.ScrapeAsync(gateway);
        var crowd = Loopback(2);
        var open = new List<AddressedHubSocket>();
        try
        {
            for (var i = 0; i < GatewayDoorCluster.MaxConnectionsPerIp; i++)
            {
                var (socket, status, _) = await AddressedHubSocket.TryOpenAsync(gateway, crowd);
                Assert.True(socket is not null, $"connection {i + 1} from {crowd}: HTTP {status}");
                open.Add(socket);
            }

            await streamer.SendGiftAsync("rose", 1, "door-ip-1");
            var (refused, upgradeStatus, upgradeRetryAfter) = await AddressedHubSocket.TryOpenAsync(gateway, crowd);
            Assert.Null(refused);
            _output.WriteLine($"WebSocket {GatewayDoorCluster.MaxConnectionsPerIp + 1} from {crowd}: HTTP {upgradeStatus}, Retry-After {upgradeRetryAfter}");
            Assert.Equal(429, upgradeStatus);
            Assert.True(int.TryParse(upgradeRetryAfter, out var seconds) && seconds >= 1);

            // The hub answers at "/hubs/room/" too: the door counts that path as well.
            var (_, slashStatus, _) = await AddressedHubSocket.TryOpenAsync(gateway, crowd, "/hubs/room/");
            _output.WriteLine($"WebSocket to /hubs/room/ from {crowd}: HTTP {slashStatus}");
            Assert.Equal(429, slashStatus);

            var negotiate = await AddressedHubSocket.NegotiateAsync(gateway, crowd);
            _output.WriteLine($"negotiate from {crowd}: HTTP {negotiate.Status}, Retry-After {negotiate.RetryAfter}, {negotiate.ContentType}: {negotiate.Body}");
            Assert.Equal(429, negotiate.Status);
            Assert.Equal("text/plain", negotiate.ContentType);
            Assert.Matches($@"^rate_limited: too many connections from this address \(limit {GatewayDoorCluster.MaxConnectionsPerIp}\) retryAfterMs=\d+$", negotiate.Body);
            var retryAfterMs = long.Parse(RetryAfterMs.Match(negotiate.Body).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal((retryAfterMs + 999) / 1000, long.Parse(negotiate.RetryAfter!, CultureInfo.InvariantCulture));

            // Another address is not affected.
            var (other, otherStatus, _) = await AddressedHubSocket.TryOpenAsync(gateway, Loopback(3));
            _output.WriteLine($"WebSocket from 127.0.0.3: HTTP {otherStatus}");
            Assert.NotNull(other);
            open.Add(other);
            Assert.Equal(200, (await AddressedHubSocket.NegotiateAsync(gateway, Loopback(3))).Status);

            // One of the crowd leaves; after the hint, the next one gets in.
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            var admitted = await RetryConnectAsync(gateway, crowd, retryAfterMs);
            open.Add(admitted);
            await streamer.SendGiftAsync("rose", 1, "door-ip-2");
            await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "the neighbour gets the gifts sent while the address was refused");

            var after = await GatewayMetrics.ScrapeAsync(gateway);
            var refusedCount = after.Get("liveim_gateway_connections_refused_total", "reason=\"per_ip\"") - before.Get("liveim_gateway_connections_refused_total", "reason=\"per_ip\"");
            _output.WriteLine($"liveim_gateway_connections_refused_total{{reason=\"per_ip\"}} +{refusedCount}");
            Assert.True(refusedCount >= 3);
            Assert.True(after.Get("liveim_gateway_rate_limited_total", "kind=\"ip\"") >= refusedCount);
        }
        finally
        {
            foreach (var socket in open)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_full_gateway_answers_503_with_retry_after_and_its_connections_keep_receiving()
    {
        var gateway = _cluster.Gateways[2];
        var room = NewRoom("door-full");
        await using var neighbour = await _cluster.ConnectAsync(2);
        var received = new EventCollector(neighbour);
        await JoinAsync(neighbour, room);
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("st-" + room, Roles.Streamer, room));
        await JoinAsync(streamer, room);
        var open = new List<AddressedHubSocket>();
        try
        {
            // One connection per address (none reaches the per-IP cap) until the gateway refuses.
            int status;
            string? retryAfter;
            var address = 10;
            while (true)
            {
                var (socket, s, r) = await AddressedHubSocket.TryOpenAsync(gateway, Loopback(address++));
                if (socket is null)
                {
                    (status, retryAfter) = (s, r);
                    break;
                }

                open.Add(socket);
                Assert.True(open.Count < GatewayDoorCluster.MaxConnections, "the cap holds");
            }

            _output.WriteLine($"with the neighbour and {open.Count} more open, the next connection: HTTP {status}, Retry-After {retryAfter}");
            Assert.Equal(GatewayDoorCluster.MaxConnections - 1, open.Count);
            Assert.Equal(503, status);
            Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1);

            await streamer.SendGiftAsync("rose", 1, "door-full-1");
            var negotiate = await AddressedHubSocket.NegotiateAsync(gateway, Loopback(address));
            _output.WriteLine($"negotiate: HTTP {negotiate.Status}, Retry-After {negotiate.RetryAfter}: {negotiate.Body}");
            Assert.Equal(503, negotiate.Status);
            Assert.Matches($@"^rate_limited: gateway full \({GatewayDoorCluster.MaxConnections} connections\); try again or another gateway retryAfterMs=\d+$", negotiate.Body);
            var retryAfterMs = long.Parse(RetryAfterMs.Match(negotiate.Body).Groups[1].Value, CultureInfo.InvariantCulture);

            await open[0].DisposeAsync();
            open.RemoveAt(0);
            open.Add(await RetryConnectAsync(gateway, Loopback(address), retryAfterMs));
            await streamer.SendGiftAsync("rose", 1, "door-full-2");
            await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "the neighbour gets the gifts sent while the gateway was full");
            var metrics = await GatewayMetrics.ScrapeAsync(gateway);
            Assert.True(metrics.Get("liveim_gateway_connections_refused_total", "reason=\"gateway_full\"") >= 2);
            Assert.True(metrics.Get("liveim_gateway_rate_limited_total", "kind=\"connection\"") >= 2);
        }
        finally
        {
            foreach (var socket in open)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_join_storm_past_the_gateways_admission_rate_gets_rate_limited_with_a_retry_that_works()
    {
        var gateway = _cluster.Gateways[0];
        var room = NewRoom("door-join");
        await using var neighbour = await _cluster.ConnectAsync(0);
        var received = new EventCollector(neighbour);
        await JoinAsync(neighbour, room);
        await using var streamer = await _cluster.ConnectAsync(1, _cluster.Token("st-" + room, Roles.Streamer, room));
        await JoinAsync(streamer, room);
        await using var first = await _cluster.ConnectAsync(0);
        await using var second = await _cluster.ConnectAsync(0);
        var before = await GatewayMetrics.ScrapeAsync(gateway);

        // 8 joins at once (4 per connection: within each connection's own limits), against 1/s with a burst of 2.
        var joins = new[] { first, second }
            .SelectMany(c => Enumerable.Range(0, 4).Select(i => Outcome(c.JoinRoomAsync(NewRoom("storm")))))
            .ToArray();
        await streamer.SendGiftAsync("rose", 1, "door-join-1");
        var outcomes = await Task.WhenAll(joins).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, not a timing claim
        foreach (var outcome in outcomes.Distinct())
        {
            _output.WriteLine($"{outcomes.Count(o => o == outcome)} x {outcome}");
        }

        var refusals = outcomes.Where(o => o != "ok").ToArray();
        Assert.NotEmpty(refusals);
        Assert.All(refusals, r => Assert.Matches(@"^rate_limited: gateway join admission limit of 1/s retryAfterMs=\d+$", r));
        var retryAfterMs = refusals.Max(r => long.Parse(RetryAfterMs.Match(r).Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.InRange(retryAfterMs, 1, 1000);

        await RetryAfter.WaitAsync(retryAfterMs);
        var retried = await first.JoinRoomAsync(room);
        _output.WriteLine($"after waiting {retryAfterMs} ms the join went through (online {retried.Online})");
        await streamer.SendGiftAsync("rose", 1, "door-join-2");
        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == 2, "the neighbour on the stormed gateway gets every gift");

        var after = await GatewayMetrics.ScrapeAsync(gateway);
        Assert.Equal(refusals.Length, after.Get("liveim_gateway_rate_limited_total", "kind=\"join_admission\"") - before.Get("liveim_gateway_rate_limited_total", "kind=\"join_admission\""));
    }

    /// <summary>Joins, waiting out the gateway's join admission (1/s here) if an earlier test used it up.</summary>
    private static async Task JoinAsync(RoomClient client, string room)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.JoinRoomAsync(room);
                return;
            }
            catch (RoomClientException ex) when (ex.Code == "rate_limited" && ex.RetryAfterMs is { } wait && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait));
            }
        }
    }

    /// <summary>Connects after <paramref name="retryAfterMs"/>, then again after each new hint: the door counts a
    /// connection out when the server has seen its socket close, a moment after the client closed it.</summary>
    private async Task<AddressedHubSocket> RetryConnectAsync(Uri gateway, IPAddress from, long retryAfterMs)
    {
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            await RetryAfter.WaitAsync(retryAfterMs);
            var (socket, status, _) = await AddressedHubSocket.TryOpenAsync(gateway, from);
            _output.WriteLine($"retry {attempt} from {from} after {retryAfterMs} ms: HTTP {status}");
            if (socket is not null)
            {
                return socket;
            }
        }

        throw new InvalidOperationException($"{from} was still refused after 20 retries");
    }

    private static async Task<string> Outcome(Task<JoinResult> join)
    {
        try
        {
            await join;
            return "ok";
        }
        catch (RoomClientException ex)
        {
            return ex.Message;
        }
    }
}
