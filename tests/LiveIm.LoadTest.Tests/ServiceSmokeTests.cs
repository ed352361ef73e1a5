using LiveIm.LoadTest.Service;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.LoadTest.Tests;

/// <summary>
/// The service workload at a tiny size through <see cref="ServiceRunner"/> against this checkout's build (nats-server,
/// redis-server, RoomService and a gateway as child processes), twice as two "systems", so the comparison path runs.
/// </summary>
public sealed class ServiceSmokeTests
{
    private readonly ITestOutputHelper _output;

    public ServiceSmokeTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task Every_call_of_a_tiny_run_is_answered_measured_and_compared()
    {
        var here = Targets.RepoLayout.Root;
        var options = ServiceOptions.Parse(
            ["--chat-rate", "20", "--gift-rate", "5", "--callers", "2", "--rooms", "2", "--duration", "2s", "--warmup", "1s",
             "--system-root", here, "--system-root", here]);
        using var progress = new StringWriter();
        var report = await new ServiceRunner(options, progress).RunAsync();
        var markdown = report.ToMarkdown();
        _output.WriteLine(progress.ToString());
        _output.WriteLine(markdown);

        Assert.True(report.AllRan, "every run was measured");
        Assert.Equal(2, report.Runs.Count);
        foreach (var run in report.Runs)
        {
            // Calls are due at fixed times, so the window (about 2 s; longer when the machine oversleeps) holds
            // rate × its length of each lane, give or take the calls at its edges; each one answered.
            Assert.InRange(run.Chat!.Due, (20 * run.Seconds) - 2, (20 * run.Seconds) + 2);
            Assert.InRange(run.Gift!.Due, (5 * run.Seconds) - 2, (5 * run.Seconds) + 2);
            Assert.Equal(run.Chat.Due, run.Chat.Ok);
            Assert.Equal(run.Gift.Due, run.Gift.Ok);
            Assert.Equal(run.Chat.Ok, run.Chat.Latency.Count);
            Assert.True(run.Chat.Latency.P50 > 0 && run.Chat.Latency.P99 >= run.Chat.Latency.P50);
            Assert.Equal(["gateway", "roomservice", "nats-server", "redis-server"], run.Cpu.Select(c => c.Name));
        }

        Assert.Matches(@"^service_cpu_per_call_ratio=(\d+\.\d\d|n/a) service_chat_p99_ratio=\d+\.\d\d service_gift_p99_ratio=\d+\.\d\d$", markdown.Split('\n')[^1]);
    }
}
