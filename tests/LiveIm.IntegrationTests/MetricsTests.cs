using System.Diagnostics.Metrics;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <c>GET /metrics</c> of a gateway and of RoomService read by a strict parser of the Prometheus text format
/// (<see cref="PrometheusText"/>) after real traffic, and the numbers that must move when traffic flows.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MetricsTests
{
    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;

    public MetricsTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom() => "met-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<(string Text, PrometheusText Parsed)> ScrapeAsync(Uri process)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(process, "/metrics"));
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", response.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        var text = await response.Content.ReadAsStringAsync();
        return (text, PrometheusText.Parse(text));
    }

    private async Task TrafficAsync(string room, int chats, int gifts)
    {
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("met-streamer", Roles.Streamer, room));
        await using var viewer = await _cluster.ConnectAsync(1, _cluster.Token("met-viewer"));
        var received = new EventCollector(viewer);
        await streamer.JoinRoomAsync(room);
        await viewer.JoinRoomAsync(room);
        for (var i = 0; i < chats; i++)
        {
            await streamer.SendChatAsync("line " + i);
        }

        for (var i = 0; i < gifts; i++)
        {
            await viewer.SendGiftAsync("rose", 1, "met-" + i);
        }

        await received.WaitForAsync(e => e.Count(x => x.Type == "gift") == gifts && e.Count(x => x.Type == "chat") == chats, "the traffic arrives");
    }

    [Fact]
    public async Task Gateway_and_RoomService_metrics_are_valid_Prometheus_text_after_traffic()
    {
        var room = NewRoom();
        await TrafficAsync(room, chats: 5, gifts: 3);

        // A gateway's Redis calls are its presence reports (every 2 s, for rooms with members): keep a member on each.
        await using var onA = await _cluster.ConnectAsync(0);
        await using var onB = await _cluster.ConnectAsync(1);
        await onA.JoinRoomAsync(room);
        await onB.JoinRoomAsync(room);
        foreach (var (name, url) in new[] { ("gateway A", _cluster.Gateways[0]), ("gateway B", _cluster.Gateways[1]), ("RoomService", _cluster.RoomServiceUrl) })
        {
            await Eventually.TrueAsync(
                async () => (await ScrapeAsync(url)).Parsed.Value("liveim_redis_command_duration_seconds_count") > 0,
                TimeSpan.FromSeconds(10), name + " has timed a Redis call");
            var (text, parsed) = await ScrapeAsync(url);
            _output.WriteLine($"{name}: {parsed.Families.Count} families, {text.Length} bytes");
            Assert.All(parsed.Families.Values, f => Assert.NotNull(f.Help));

            // Both processes carry the backends' round trips as real histograms.
            Assert.Equal("histogram", parsed.Families["liveim_redis_command_duration_seconds"].Type);
            Assert.Equal("counter", parsed.Families["liveim_bus_published_total"].Type);
        }

        var (_, gateway) = await ScrapeAsync(_cluster.Gateways[1]);
        Assert.Equal("histogram", gateway.Families["liveim_gateway_publish_to_write_seconds"].Type);
        Assert.Equal("histogram", gateway.Families["liveim_bus_request_duration_seconds"].Type);
        Assert.Equal("counter", gateway.Families["liveim_gateway_joins_total"].Type);
        var (_, service) = await ScrapeAsync(_cluster.RoomServiceUrl);
        Assert.Equal("counter", service.Families["liveim_roomservice_requests_total"].Type);
        Assert.Equal("histogram", service.Families["liveim_roomservice_request_duration_seconds"].Type);
        Assert.Equal("counter", service.Families["liveim_roomservice_rate_limited_total"].Type);
    }

    [Fact]
    public async Task Counters_and_histograms_move_while_traffic_flows()
    {
        var (_, gwBefore) = await ScrapeAsync(_cluster.Gateways[1]);
        var (_, rsBefore) = await ScrapeAsync(_cluster.RoomServiceUrl);

        await TrafficAsync(NewRoom(), chats: 4, gifts: 2);

        var (_, gw) = await ScrapeAsync(_cluster.Gateways[1]);
        var (_, rs) = await ScrapeAsync(_cluster.RoomServiceUrl);
        double Delta(PrometheusText after, PrometheusText before, string sample, params (string, string)[] labels) =>
            after.Value(sample, labels) - before.Value(sample, labels);

        // Gateway B: the viewer's join and gift request, the room's events received and written.
        Assert.True(Delta(gw, gwBefore, "liveim_gateway_joins_total") >= 1);
        Assert.True(Delta(gw, gwBefore, "liveim_gateway_bus_received_total") >= 6);
        Assert.True(Delta(gw, gwBefore, "liveim_gateway_publish_to_write_seconds_count", ("lane", "gift")) >= 2);
        Assert.True(Delta(gw, gwBefore, "liveim_gateway_publish_to_write_seconds_count", ("lane", "chat")) >= 4);
        Assert.True(Delta(gw, gwBefore, "liveim_bus_request_duration_seconds_count", ("subject", "liveim.svc.gift")) >= 2);
        Assert.True(Delta(gw, gwBefore, "liveim_bus_received_total") >= 6);

        // RoomService: the requests by subject and outcome, the events by lane, the bus and Redis.
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_requests_total", ("subject", "liveim.svc.chat"), ("outcome", "ok")) >= 4);
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_requests_total", ("subject", "liveim.svc.gift"), ("outcome", "ok")) >= 2);
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_requests_total", ("subject", "liveim.svc.join"), ("outcome", "ok")) >= 2);
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_events_published_total", ("lane", "chat")) >= 4);
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_events_published_total", ("lane", "gift")) >= 2);
        Assert.True(Delta(rs, rsBefore, "liveim_roomservice_request_duration_seconds_count", ("subject", "liveim.svc.chat")) >= 4);
        Assert.True(Delta(rs, rsBefore, "liveim_bus_published_total") >= 12, "events and replies");
        Assert.True(Delta(rs, rsBefore, "liveim_bus_received_total") >= 8, "requests");
        Assert.True(Delta(rs, rsBefore, "liveim_redis_command_duration_seconds_count") >= 6);
    }

    [Fact]
    public async Task A_refused_request_is_counted_by_outcome_and_limit_kind()
    {
        var room = NewRoom();
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("met-mod", Roles.Streamer, room));
        await using var viewer = await _cluster.ConnectAsync(0, _cluster.Token("met-slow"));
        await streamer.JoinRoomAsync(room);
        await viewer.JoinRoomAsync(room);
        await streamer.SetSlowModeAsync(60);
        var (_, before) = await ScrapeAsync(_cluster.RoomServiceUrl);
        await viewer.SendChatAsync("first");
        await Assert.ThrowsAnyAsync<Exception>(() => viewer.SendChatAsync("second, too soon"));
        var (_, after) = await ScrapeAsync(_cluster.RoomServiceUrl);
        Assert.Equal(1, after.Value("liveim_roomservice_requests_total", ("subject", "liveim.svc.chat"), ("outcome", "rate_limited"))
            - before.Value("liveim_roomservice_requests_total", ("subject", "liveim.svc.chat"), ("outcome", "rate_limited")));
        Assert.Equal(1, after.Value("liveim_roomservice_rate_limited_total", ("kind", "slow_mode"))
            - before.Value("liveim_roomservice_rate_limited_total", ("kind", "slow_mode")));
    }
}

/// <summary>
/// The exporter as the services wire it (<see cref="MetricsExport"/>: OpenTelemetry's Prometheus exporter behind
/// <c>GET /metrics</c> of a host of its own), read by the strict parser, and the parser on its own.
/// </summary>
public sealed class PrometheusExporterTests
{
    // A host exporting only `meter`, scraped once after `record` ran.
    private static async Task<string> ScrapeAsync(Meter meter, Action record)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddLiveImMetrics(_ => [meter]);
        await using var app = builder.Build();
        app.MapLiveImMetrics();
        await app.StartAsync();
        record();
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{port}/metrics");
    }

    [Fact]
    public async Task A_histogram_renders_cumulative_buckets_ending_with_Inf_equal_to_count_then_sum_and_count()
    {
        using var meter = new Meter("test.histogram." + Guid.NewGuid().ToString("N"));
        var histogram = meter.CreateHistogram("test.latency", "s", "Latency", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5] });
        var text = await ScrapeAsync(meter, () =>
        {
            foreach (var v in new[] { 0.5, 1, 3, 10 })
            {
                histogram.Record(v, new KeyValuePair<string, object?>("lane", "gift"));
            }
        });

        var parsed = PrometheusText.Parse(text);
        Assert.Equal("histogram", parsed.Families["test_latency_seconds"].Type);
        Assert.Contains("test_latency_seconds_bucket{lane=\"gift\",le=\"1\"} 2\n", text, StringComparison.Ordinal); // 1 is "less or equal"
        Assert.Contains("test_latency_seconds_bucket{lane=\"gift\",le=\"2\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_bucket{lane=\"gift\",le=\"5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("test_latency_seconds_bucket{lane=\"gift\",le=\"+Inf\"} 4\n", text, StringComparison.Ordinal);
        Assert.Equal(14.5, parsed.Value("test_latency_seconds_sum", ("lane", "gift")));
        Assert.Equal(4, parsed.Value("test_latency_seconds_count", ("lane", "gift")));
    }

    [Fact]
    public async Task Label_values_and_help_are_escaped_so_they_parse_back_unchanged()
    {
        using var meter = new Meter("test.escape." + Guid.NewGuid().ToString("N"));
        var counter = meter.CreateCounter<long>("test.odd", description: "back\\slash and\nnewline");
        var parsed = PrometheusText.Parse(await ScrapeAsync(meter, () => counter.Add(3, new KeyValuePair<string, object?>("why", "a \"quoted\" back\\slash\nnewline"))));
        var family = parsed.Families["test_odd_total"];
        Assert.Equal("back\\slash and\nnewline", family.Help);
        Assert.Equal("a \"quoted\" back\\slash\nnewline", family.Samples.Single().Labels["why"]);
        Assert.Equal(3, family.Samples.Single().Value);
    }

    [Fact]
    public async Task Only_the_hosts_own_meter_instances_are_exported_not_another_meter_of_the_same_name()
    {
        var name = "test.isolation." + Guid.NewGuid().ToString("N");
        using var mine = new Meter(name);
        using var other = new Meter(name);
        var counter = mine.CreateCounter<long>("test.things");
        var stranger = other.CreateCounter<long>("test.things");
        var parsed = PrometheusText.Parse(await ScrapeAsync(mine, () =>
        {
            counter.Add(2);
            stranger.Add(40);
        }));
        Assert.Equal(2, parsed.Value("test_things_total"));
    }

    [Theory]
    [InlineData("x 1", "no final newline")]
    [InlineData("# TYPE x counter\nx -1\n", "negative counter")]
    [InlineData("x{a=\"1\"} 1\ny 1\nx{a=\"2\"} 1\n", "family not grouped")]
    [InlineData("x{a=\"\\t\"} 1\n", "bad escape")]
    [InlineData("x{a=1} 1\n", "unquoted label value")]
    [InlineData("x{__a=\"1\"} 1\n", "reserved label name")]
    [InlineData("x 1\nx 2\n", "repeated series")]
    [InlineData("x one\n", "bad value")]
    [InlineData("x 1\n# TYPE x gauge\n", "TYPE after samples")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "+Inf != count")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "no +Inf bucket")]
    public void The_strict_parser_refuses_what_the_format_does_not_allow(string text, string what)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        _ = what;
    }
}
