using System.Diagnostics.Metrics;
using System.Net;
using LiveIm.RoomGateway.Limits;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The door's counting (no servers): caps, removal at zero, address keys.</summary>
public sealed class ConnectionAdmissionTests : IDisposable
{
    private readonly Meter _meter = new("test.admission");

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void Per_ip_and_total_caps_hold_and_entries_go_at_zero()
    {
        var admission = new ConnectionAdmission(new LimitsOptions { MaxConnections = 4, MaxConnectionsPerIp = 2 }, new LimitsMetrics(_meter));
        var a = IPAddress.Parse("10.0.0.1");
        var b = IPAddress.Parse("10.0.0.2");
        var c = IPAddress.Parse("10.0.0.3");
        Assert.Null(admission.TryEnter(a));
        Assert.Null(admission.TryEnter(a));
        Assert.Equal(ConnectionAdmission.Refusal.PerIp, admission.TryEnter(a));
        Assert.Equal(ConnectionAdmission.Refusal.PerIp, admission.WouldRefuse(a));
        Assert.Null(admission.TryEnter(b));
        Assert.Null(admission.TryEnter(b));
        Assert.Equal(ConnectionAdmission.Refusal.GatewayFull, admission.TryEnter(c));
        Assert.Equal(ConnectionAdmission.Refusal.GatewayFull, admission.WouldRefuse(c));
        Assert.Equal(4, admission.Count);

        admission.Exit(a);
        Assert.Null(admission.WouldRefuse(c));
        Assert.Null(admission.TryEnter(c));
        admission.Exit(a);
        admission.Exit(b);
        admission.Exit(b);
        admission.Exit(c);
        Assert.Equal(0, admission.Count);
        Assert.Equal(0, admission.Addresses);
    }

    [Fact]
    public void Concurrent_connects_and_disconnects_leave_nothing_behind()
    {
        var admission = new ConnectionAdmission(new LimitsOptions { MaxConnections = 1000, MaxConnectionsPerIp = 3 }, new LimitsMetrics(_meter));
        var keys = Enumerable.Range(1, 4).Select(i => IPAddress.Parse("192.0.2." + i)).ToArray();
        Parallel.For(0, 8, worker =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = keys[(worker + i) % keys.Length];
                if (admission.TryEnter(key) is null)
                {
                    admission.Exit(key);
                }
            }
        });
        Assert.Equal(0, admission.Count);
        Assert.Equal(0, admission.Addresses);
    }

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::")]
    public void Ipv4_counts_per_address_and_ipv6_per_64(string address, string key) =>
        Assert.Equal(IPAddress.Parse(key), ConnectionAdmission.KeyOf(IPAddress.Parse(address)));
}
