using System.Text.Json;

namespace LiveIm.Deploy.Tests;

/// <summary>
/// The dashboard and the alert rules read metrics the processes really export: scraped from a running RoomService
/// and two gateways with traffic, so a renamed or removed metric fails here, not on an operator's screen.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class DashboardTests
{
    private readonly LiveSystem _system;

    public DashboardTests(LiveSystem system)
    {
        _system = system;
    }

    [Fact]
    public void The_dashboard_is_valid_json_with_unique_panels_on_the_provisioned_data_source()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Dashboard.File));
        var root = doc.RootElement;
        Assert.Equal("liveim-overview", root.GetProperty("uid").GetString());
        var datasource = File.ReadAllText(Repo.Path("deploy", "grafana", "provisioning", "datasources", "prometheus.yml"));
        var ids = new HashSet<int>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), "duplicate panel id");
            var grid = panel.GetProperty("gridPos");
            Assert.InRange(grid.GetProperty("x").GetInt32() + grid.GetProperty("w").GetInt32(), 1, 24);
            if (panel.GetProperty("type").GetString() == "row")
            {
                continue;
            }

            var uid = panel.GetProperty("datasource").GetProperty("uid").GetString()!;
            Assert.Contains("uid: " + uid + "\n", datasource, StringComparison.Ordinal);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
        }

        Assert.True(ids.Count >= 20, "the dashboard lost panels");
    }

    [Fact]
    public void The_dashboard_covers_what_operators_watch()
    {
        var all = string.Join('\n', Dashboard.Queries().Select(q => q.Expr));
        foreach (var metric in new[]
                 {
                     "liveim_gateway_connections", "liveim_gateway_joins_total", "liveim_gateway_deliveries_total", "liveim_gateway_frame_bytes_total",
                     "liveim_gateway_frames_total", "liveim_gateway_dropped_total", "liveim_gateway_slow_consumer_closes_total", "liveim_gateway_ticks_total",
                     "liveim_gateway_publish_to_write_seconds_bucket", "liveim_roomservice_request_duration_seconds_bucket",
                     "liveim_bus_ping_duration_seconds_bucket", "liveim_redis_command_duration_seconds_bucket", "liveim_redis_ping_duration_seconds_bucket",
                     "process_cpu_seconds_total", "process_working_set_bytes", "liveim_gateway_frame_cost_seconds", "liveim_gateway_room_tick_seconds",
                     "liveim_gateway_room_flush_cost_seconds",
                 })
        {
            Assert.Contains(metric, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_dashboard_query_reads_only_metrics_the_processes_export()
    {
        var exported = await _system.ExportedNamesAsync();
        var missing = Dashboard.Queries()
            .SelectMany(q => PromQl.MetricNames(q.Expr).Where(n => n != "up" && !exported.Contains(n)).Select(n => $"{q.Panel}: {n}"))
            .ToList();
        Assert.True(missing.Count == 0, "not exported by RoomService or the gateways:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task Every_alert_rule_reads_only_metrics_the_processes_export()
    {
        var exported = await _system.ExportedNamesAsync();

        // redis_up comes from redis_exporter (docker-compose.yml), not from a LiveIm process.
        var missing = Dashboard.AlertExpressions()
            .SelectMany(r => PromQl.MetricNames(r.Expr).Where(n => n is not "up" and not "redis_up" && !exported.Contains(n)).Select(n => $"{r.Alert}: {n}"))
            .ToList();
        Assert.True(missing.Count == 0, "not exported by RoomService or the gateways:\n" + string.Join('\n', missing));
    }

    [Theory]
    [InlineData("sum by (instance) (rate(liveim_gateway_joins_total{job=\"roomgateway\"}[1m]))", "liveim_gateway_joins_total")]
    [InlineData("histogram_quantile(0.99, sum by (lane, le) (rate(x_bucket{a=\"b}\"}[5m])))", "x_bucket")]
    [InlineData("rate(a_total[1m]) / rate(b_total[1m]) * 1e6", "a_total,b_total")]
    [InlineData("(up{job=\"g\"} == 1) unless on (instance) (increase(c_count[30s]) > 0)", "up,c_count")]
    public void Metric_names_are_read_out_of_promql(string expr, string expected)
    {
        Assert.Equal(expected.Split(',').Order(StringComparer.Ordinal), PromQl.MetricNames(expr).Order(StringComparer.Ordinal));
    }
}
