using System.Net;
using LiveIm.Redis.Internal;
using Xunit;

namespace LiveIm.Redis.Tests.Unit;

public sealed class ConnectionHelpersTests
{
    [Fact]
    public void Backoff_doubles_from_min_to_max_with_jitter_in_the_upper_half()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1000));
        double[] ceilings = [50, 100, 200, 400, 800, 1000, 1000, 1000];
        foreach (var ceiling in ceilings)
        {
            var wait = backoff.Next().TotalMilliseconds;
            Assert.InRange(wait, ceiling / 2, ceiling);
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 25, 50);
    }

    [Fact]
    public void Backoff_waits_are_spread_out_so_clients_do_not_reconnect_in_lockstep()
    {
        var waits = Enumerable.Range(0, 20)
            .Select(_ => new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)).Next())
            .Distinct()
            .Count();
        Assert.True(waits > 10);
    }

    [Theory]
    [InlineData("127.0.0.1:6379", "127.0.0.1", 6379)]
    [InlineData("[::1]:7000", "::1", 7000)]
    public void Ip_end_points_parse(string text, string address, int port)
    {
        var endPoint = Assert.IsType<IPEndPoint>(EndPointParser.Parse(text));
        Assert.Equal(IPAddress.Parse(address), endPoint.Address);
        Assert.Equal(port, endPoint.Port);
    }

    [Fact]
    public void Host_names_become_dns_end_points()
    {
        var endPoint = Assert.IsType<DnsEndPoint>(EndPointParser.Parse("redis.internal:6380"));
        Assert.Equal("redis.internal", endPoint.Host);
        Assert.Equal(6380, endPoint.Port);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData(":6379")]
    [InlineData("host:")]
    [InlineData("host:99999")]
    [InlineData("host:-1")]
    public void Malformed_end_points_are_rejected(string text)
    {
        Assert.Throws<ArgumentException>(() => EndPointParser.Parse(text));
    }
}
