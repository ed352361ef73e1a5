using LiveIm.LoadTest.Targets;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class DropCountersTests
{
    [Fact]
    public void Drops_are_read_per_lane_from_prometheus_text()
    {
        var metrics = """
            # HELP liveim_gateway_dropped_total Events dropped for slow connections.
            # TYPE liveim_gateway_dropped_total counter
            liveim_gateway_dropped_total{lane="chat",gateway="gw1"} 120
            liveim_gateway_dropped_total{lane="chat",gateway="gw2"} 3
            liveim_gateway_dropped_total{lane="gift"} 0
            liveim_gateway_slow_consumer_closes_total 2
            liveim_gateway_connections 10000
            """;
        var drops = DropCounters.Parse(metrics);
        Assert.Equal(123, drops.ByLane["chat"]);
        Assert.Equal(0, drops.ByLane["gift"]);
        Assert.Equal(2, drops.SlowConsumerCloses);
        Assert.Equal("chat 123, gift 0; slow closes 2", drops.ToString());
    }

    [Fact]
    public void The_difference_over_a_step_is_reported()
    {
        var before = DropCounters.Parse("liveim_gateway_dropped_total{lane=\"chat\"} 10\nliveim_gateway_slow_consumer_closes_total 1");
        var after = DropCounters.Parse("liveim_gateway_dropped_total{lane=\"chat\"} 25\nliveim_gateway_slow_consumer_closes_total 1");
        var step = after.Minus(before);
        Assert.Equal(15, step.ByLane["chat"]);
        Assert.Equal(0, step.SlowConsumerCloses);
    }

    [Fact]
    public void Unlabelled_drops_count_as_all()
    {
        Assert.Equal(7, DropCounters.Parse("liveim_gateway_dropped_total 7 1700000000000").ByLane["all"]);
    }
}
