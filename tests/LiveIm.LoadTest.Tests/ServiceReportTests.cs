using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Service;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class ServiceReportTests
{
    private static readonly MachineFacts Machine = new(2, "test cpu", 24, "test os", "10.0", ".NET 10", 20_000);

    private static ServiceRunResult Run(int system, int round, double chatP99, double cpuSeconds) => new()
    {
        System = system,
        Round = round,
        Seconds = 10,
        Chat = new LaneResult(100, 1000, 1000, 0, 100, new LatencySummary(1000, 2, chatP99, chatP99, chatP99), null),
        Gift = new LaneResult(10, 100, 100, 0, 10, new LatencySummary(100, 3, 2 * chatP99, 2 * chatP99, 2 * chatP99), null),
        Cpu = [new ServiceProcessCpu("gateway", cpuSeconds, cpuSeconds / 1100 * 1e6), new ServiceProcessCpu("roomservice", cpuSeconds, cpuSeconds / 1100 * 1e6)],
    };

    private static ServiceReport Report(IReadOnlyList<ServiceRunResult> runs, int systems) => new(
        ServiceOptions.Parse(["--rounds", "3"]),
        Machine,
        Enumerable.Range(0, systems).Select(i => new SystemInfo($"/checkout{i}", $"c{i}", "rs.dll", "gw.dll")).ToArray(),
        runs);

    [Fact]
    public void Ratios_are_the_last_systems_medians_over_the_firsts()
    {
        // System 1's chat p99 medians to 10 ms (rounds 10, 10, 40), system 2's to 12 ms; CPU 1.1 s vs 0.55 s per 1,100 calls.
        var report = Report(
            [Run(0, 1, 10, 1.1), Run(1, 1, 12, 0.55), Run(0, 2, 40, 1.1), Run(1, 2, 12, 0.55), Run(0, 3, 10, 1.1), Run(1, 3, 90, 0.55)],
            systems: 2);
        Assert.Equal("service_cpu_per_call_ratio=0.50 service_chat_p99_ratio=1.20 service_gift_p99_ratio=1.20", report.LastLine);
        Assert.EndsWith(report.LastLine, report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void One_system_has_no_ratios_and_a_failed_run_is_left_out_of_the_medians()
    {
        var failed = Run(0, 2, 1000, 9) with { Error = "gateway exited during the run" };
        var report = Report([Run(0, 1, 10, 1.1), failed], systems: 1);
        Assert.Equal("service_cpu_per_call_ratio=n/a service_chat_p99_ratio=n/a service_gift_p99_ratio=n/a", report.LastLine);
        Assert.Equal(10, report.Median(0, r => r.Chat?.Latency.P99));
        Assert.False(report.AllRan);
        Assert.Contains("FAILED: gateway exited during the run", report.ToMarkdown(), StringComparison.Ordinal);
    }
}
