using System.Text.Json;
using LiveIm.Core.Gateways;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <c>GET /api/gateways/assign</c> against reports in a real Redis: weights, draining, expired (dead) gateways, hot
/// rooms through the presence counts, and the errors. The test with real gateways reporting is in GracefulDrainTests.
/// </summary>
[Collection(AssignmentCollection.Name)]
public sealed class GatewayAssignmentTests
{
    private readonly AssignmentCluster _cluster;

    public GatewayAssignmentTests(AssignmentCluster cluster)
    {
        _cluster = cluster;
    }

    private static GatewayLoadReport Report(string id, int connections, double weight = 1, bool draining = false) =>
        new(id, "http://" + id + ".test:5101", connections, 0.1, 0, draining, weight, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    private async Task<string> AssignedAsync(string query = "?roomId=lobby")
    {
        var (status, body, _) = await _cluster.AssignAsync(query);
        Assert.True(status == 200, $"HTTP {status}: {body}");
        using var json = JsonDocument.Parse(body);
        var id = json.RootElement.GetProperty("gatewayId").GetString()!;
        Assert.Equal("http://" + id + ".test:5101", json.RootElement.GetProperty("url").GetString());
        return id;
    }

    [Fact]
    public async Task Assign_answers_the_gateway_with_the_least_connections_per_weight()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-small", 100));
        await _cluster.ReportAsync(Report("gw-big", 150, weight: 2));
        Assert.Equal("gw-big", await AssignedAsync());
    }

    [Fact]
    public async Task A_draining_gateway_leaves_assignment_with_its_next_report()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-a", 0));
        await _cluster.ReportAsync(Report("gw-b", 1000));
        Assert.Equal("gw-a", await AssignedAsync());

        await _cluster.ReportAsync(Report("gw-a", 0, draining: true));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("gw-b", await AssignedAsync());
        }
    }

    [Fact]
    public async Task A_dead_gateway_drops_out_when_its_report_expires()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-dying", 0), TimeSpan.FromMilliseconds(500));
        await _cluster.ReportAsync(Report("gw-alive", 1000));
        Assert.Equal("gw-dying", await AssignedAsync());
        await Eventually.TrueAsync(async () => await AssignedAsync() == "gw-alive", TimeSpan.FromSeconds(10), "the expired report is no longer a candidate");
    }

    [Fact]
    public async Task A_hot_room_gathers_on_the_gateway_already_in_it_then_spreads_past_the_cap()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-a", 900));
        await _cluster.ReportAsync(Report("gw-b", 1000));
        await _cluster.PresenceAsync("hot", "gw-b", 400);
        Assert.Equal("gw-b", await AssignedAsync("?roomId=hot"));
        Assert.Equal("gw-a", await AssignedAsync("?roomId=elsewhere"));

        // gw-b holds the most members of the room a gateway should: the room opens on gw-a.
        await _cluster.PresenceAsync("hot", "gw-b", 2500);
        Assert.Equal("gw-a", await AssignedAsync("?roomId=hot"));
    }

    [Fact]
    public async Task No_gateway_available_is_503_unavailable_with_retry_after()
    {
        await _cluster.ResetAsync();
        var (status, body, retryAfter) = await _cluster.AssignAsync("?roomId=lobby");
        Assert.Equal(503, status);
        Assert.Contains("\"error\":\"unavailable\"", body, StringComparison.Ordinal);
        Assert.Contains("no gateway has reported", body, StringComparison.Ordinal);
        Assert.Equal("2", retryAfter);

        await _cluster.ReportAsync(Report("gw-a", 0, draining: true));
        (status, body, _) = await _cluster.AssignAsync("?roomId=lobby");
        Assert.Equal(503, status);
        Assert.Contains("draining", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gateway_the_client_could_not_reach_is_passed_over_while_its_report_is_still_fresh()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-crashed", 0));
        await _cluster.ReportAsync(Report("gw-alive", 1000));
        await _cluster.ReportAsync(Report("gw-other", 2000));
        await _cluster.PresenceAsync("lobby", "gw-crashed", 500);
        Assert.Equal("gw-crashed", await AssignedAsync());
        Assert.Equal("gw-alive", await AssignedAsync("?roomId=lobby&avoid=gw-crashed"));
        Assert.Equal("gw-other", await AssignedAsync("?roomId=lobby&avoid=gw-crashed&avoid=gw-alive"));
        Assert.Equal("gw-alive", await AssignedAsync("?avoid=gw-crashed&avoid=gw-gone-long-ago"));
        Assert.Equal("gw-crashed", await AssignedAsync()); // nobody else's answer changed
    }

    [Fact]
    public async Task An_avoided_gateway_is_still_answered_when_it_is_the_only_one_available()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-only", 0));
        await _cluster.ReportAsync(Report("gw-leaving", 0, draining: true));
        Assert.Equal("gw-only", await AssignedAsync("?roomId=lobby&avoid=gw-only"));
    }

    [Theory]
    [InlineData("?roomId=lobby&avoid=")]
    [InlineData("?avoid=a&avoid=b&avoid=c&avoid=d&avoid=e&avoid=f&avoid=g&avoid=h&avoid=i")]
    [InlineData("?roomId=lobby&avoid=gw-a&avoid=")]
    public async Task A_malformed_avoid_is_400_invalid_argument(string query)
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-a", 0));
        var (status, body, _) = await _cluster.AssignAsync(query);
        Assert.Equal(400, status);
        Assert.Contains("\"error\":\"invalid_argument\"", body, StringComparison.Ordinal);
        Assert.Equal("gw-a", await AssignedAsync()); // the next request is answered as ever
    }

    [Fact]
    public async Task An_avoid_value_longer_than_any_gateway_id_is_400_invalid_argument()
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-a", 0));
        var (status, body, _) = await _cluster.AssignAsync("?avoid=" + new string('x', 201));
        Assert.Equal(400, status);
        Assert.Contains("\"error\":\"invalid_argument\"", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?roomId=")]
    [InlineData("?roomId=a.b")]
    [InlineData("?roomId=liveim.room.*")]
    [InlineData("?roomId=a&roomId=b")]
    public async Task A_bad_room_id_is_400_invalid_room(string query)
    {
        await _cluster.ResetAsync();
        await _cluster.ReportAsync(Report("gw-a", 0));
        var (status, body, _) = await _cluster.AssignAsync(query);
        Assert.Equal(400, status);
        Assert.Contains("\"error\":\"invalid_room\"", body, StringComparison.Ordinal);
    }
}
