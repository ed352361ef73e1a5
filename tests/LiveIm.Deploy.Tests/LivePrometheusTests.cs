using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiveIm.Testing;

namespace LiveIm.Deploy.Tests;

/// <summary>
/// Debian's prometheus with the shipped scrape config (rewritten by deploy/prometheus/local-config.sh for the ports
/// of a running RoomService and two gateways): every target up, every alert rule loaded and healthy, and every
/// dashboard query answering with series once traffic flowed.
/// </summary>
[Collection(LiveSystemCollection.Name)]
public sealed class LivePrometheusTests
{
    private readonly LiveSystem _system;

    public LivePrometheusTests(LiveSystem system)
    {
        _system = system;
    }

    [Fact]
    public async Task Prometheus_with_the_shipped_config_scrapes_every_process_and_every_dashboard_query_returns_series()
    {
        var port = FreePort.Next();
        var cluster = _system.Cluster;
        var rewrite = await PrometheusConfigTests.LocalConfig(
            "--gateways", string.Join(',', cluster.GatewayPorts.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))),
            "--roomservices", "127.0.0.1:" + cluster.RoomServicePort.ToString(CultureInfo.InvariantCulture),
            "--prometheus", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        Assert.True(rewrite.ExitCode == 0, rewrite.All);

        var dir = Directory.CreateTempSubdirectory("liveim-prometheus-");
        var config = Path.Combine(dir.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, rewrite.Output);
        var log = new OutputTail();
        using var prometheus = Start(config, Path.Combine(dir.FullName, "data"), port, log);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(5) };

            await WaitReadyAsync(http, prometheus, log);

            // Every target up: 2 gateways, RoomService, Prometheus itself.
            var targets = new List<(string Job, string Health)>();
            var deadline = Stopwatch.GetTimestamp() + (40 * Stopwatch.Frequency);
            while (true)
            {
                using (var doc = await GetJsonAsync(http, "api/v1/targets?state=active"))
                {
                    targets = doc.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                        .Select(t => (t.GetProperty("labels").GetProperty("job").GetString()!, t.GetProperty("health").GetString()!)).ToList();
                }

                if (targets.Count == 4 && targets.All(t => t.Health == "up"))
                {
                    break;
                }

                Assert.True(Stopwatch.GetTimestamp() < deadline, "targets not all up: " + string.Join(", ", targets) + "\n" + log);
                await Task.Delay(500);
            }

            Assert.Equal(["prometheus", "roomgateway", "roomgateway", "roomservice"], targets.Select(t => t.Job).Order(StringComparer.Ordinal));

            // The shipped rules loaded and evaluated without error.
            using (var rules = await GetJsonAsync(http, "api/v1/rules"))
            {
                var loaded = rules.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
                    .SelectMany(g => g.GetProperty("rules").EnumerateArray()).ToList();
                Assert.Equal(Dashboard.AlertExpressions().Count, loaded.Count);
                Assert.All(loaded, r => Assert.NotEqual("err", r.GetProperty("health").GetString()));
            }

            // Three scrapes after the first: rate() over the dashboards' windows has points on every counter.
            var sentBefore = _system.Sent;
            await Task.Delay(TimeSpan.FromSeconds(16));
            Assert.True(_system.Sent > sentBefore, "the traffic stopped");

            var empty = new List<string>();
            foreach (var (panel, expr) in Dashboard.Queries())
            {
                using var answer = await GetJsonAsync(http, "api/v1/query?query=" + Uri.EscapeDataString(expr));
                Assert.Equal("success", answer.RootElement.GetProperty("status").GetString());
                if (answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() == 0)
                {
                    empty.Add($"{panel}: {expr}");
                }
            }

            Assert.True(empty.Count == 0, "queries with no series:\n" + string.Join('\n', empty));
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            dir.Delete(recursive: true);
        }
    }

    private static Process Start(string config, string data, int port, OutputTail log)
    {
        var psi = new ProcessStartInfo(ServerBinary.Find("prometheus", "prometheus"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "--config.file=" + config, "--storage.tsdb.path=" + data,
                     "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--log.level=warn",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process prometheus, OutputTail log)
    {
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        while (true)
        {
            Assert.False(prometheus.HasExited, "prometheus exited:\n" + log);
            try
            {
                using var response = await http.GetAsync("-/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.True(Stopwatch.GetTimestamp() < deadline, "prometheus did not become ready:\n" + log);
            await Task.Delay(200);
        }
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }
}
