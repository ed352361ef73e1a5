using System.Diagnostics;
using LiveIm.LoadTest.Scaling;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class ScaleMeasurementTests
{
    [Fact]
    public void Metrics_text_sums_every_label_set_and_skips_buckets_comments_and_garbage()
    {
        var text = """
            # HELP liveim_gateway_deliveries_total Events handed to connections
            # TYPE liveim_gateway_deliveries_total counter
            liveim_gateway_deliveries_total{lane="chat"} 10
            liveim_gateway_deliveries_total{lane="gift"} 2.5
            liveim_bus_ping_duration_seconds_bucket{le="0.001"} 7
            liveim_bus_ping_duration_seconds_count 7
            not a sample line
            {broken} 5
            liveim_gateway_rooms NaN-ish
            """;
        var metrics = MetricsText.Parse(text);
        Assert.Equal(12.5, metrics.Sum("liveim_gateway_deliveries_total"));
        Assert.Equal(7, metrics.Sum("liveim_bus_ping_duration_seconds_count"));
        Assert.Equal(0, metrics.Sum("liveim_bus_ping_duration_seconds_bucket"));
        Assert.DoesNotContain("liveim_gateway_rooms", metrics.Names);
        Assert.Equal(0, metrics.Sum("absent"));
    }

    [Fact]
    public void Redis_commandstats_are_read_per_command()
    {
        var info = "# Commandstats\r\ncmdstat_evalsha:calls=560,usec=1000,usec_per_call=1.79\r\ncmdstat_info:calls=3,usec=10\r\ncmdstat_hset:calls=510,usec=99\r\ncmdstat_bad:calls=x\r\ngarbage\r\n";
        var calls = RedisCommandStats.Parse(info);
        Assert.Equal(560, calls["evalsha"]);
        Assert.Equal(510, calls["hset"]);
        Assert.Equal(3, calls["info"]);
        Assert.False(calls.ContainsKey("bad"));
    }

    [Fact]
    public void Idle_cost_per_second_is_taken_off_the_loaded_window_and_copies_are_exact_per_gateway()
    {
        var f = Stopwatch.Frequency;

        // Idle 10 s: RoomService 0.1 CPU s, Redis 100 commands. Loaded 10 s: 100 events, 4 gateways.
        var idleStart = new ClusterSnapshot(0, 1.0, 2.0, 0.5, 1_000, 10, 40, 100, 0, 0, 0, 0);
        var idleEnd = new ClusterSnapshot(10 * f, 1.1, 2.2, 0.51, 1_100, 10, 40, 100, 50, 50, 0, 0);
        var loadedEnd = new ClusterSnapshot(20 * f, 1.3, 3.2, 0.53, 1_800, 110, 440, 100_100, 350, 650, 100_000, 30_000_000);
        var r = ScaleResult.From(4, 1_000, 90, 10, 0, null, idleStart, idleEnd, loadedEnd);

        Assert.Equal(4.0, r.BusCopiesPerEvent);
        Assert.True(r.BusCopiesExact);
        Assert.Equal(1.0, r.RoomServiceCpuMsPerEvent, 6);        // (0.2 - 0.1) s / 100 events
        Assert.Equal(6.0, r.RedisCommandsPerEvent, 6);           // (700 - 100) / 100
        Assert.Equal(8.0, r.GatewayCpuMicrosPerDelivery, 6);     // (1.0 - 0.2) s / 100,000 deliveries
        Assert.Equal(300, r.WireBytesPerDelivery, 6);
        Assert.Equal(1.0, r.Delivered, 6);
        Assert.Equal(3.0, r.NatsMessagesInPerEvent, 6);
        Assert.Equal(6.0, r.NatsMessagesOutPerEvent, 6);

        var short1 = ScaleResult.From(4, 1_000, 90, 10, 0, null, idleStart, idleEnd, loadedEnd with { BusReceived = 439 });
        Assert.False(short1.BusCopiesExact);
    }

    [Fact]
    public void A_window_without_events_gives_no_figures_rather_than_infinities()
    {
        var s = new ClusterSnapshot(0, 1, 1, 1, 1, 5, 5, 5, 0, 0, 0, 0);
        var r = ScaleResult.From(1, 10, 0, 0, 0, null, s, s with { StopwatchTicks = Stopwatch.Frequency }, s with { StopwatchTicks = 2 * Stopwatch.Frequency });
        Assert.True(double.IsNaN(r.RoomServiceCpuMsPerEvent));
        Assert.False(r.BusCopiesExact);
        Assert.Contains("bus_copies_exact=no", ScaleReport.LastLine([r]), StringComparison.Ordinal);
    }
}
