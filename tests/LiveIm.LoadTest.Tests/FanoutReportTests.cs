using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class FanoutReportTests
{
    private static readonly MachineFacts Machine = new(2, "test cpu", 24, "Linux", "10.0.100", ".NET 10", 20_000);

    [Fact]
    public void The_last_line_gives_both_ratios_with_two_decimals()
    {
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine,
        [
            Target(TargetKind.LiveIm, capacity: 300, frames: 50_000),
            Target(TargetKind.SignalR, capacity: 90, frames: 20_000),
            Target(TargetKind.Raw, capacity: 400, frames: 75_000),
        ]);

        var lines = report.ToMarkdown().Split('\n');
        Assert.Equal("capacity_ratio_vs_signalr=3.33 frames_ratio_vs_raw=0.67", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("| capacity, chat msg/s | 300 | 90 | 400 | 3.33 | 0.75 |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Command: `dotnet run -c Release --project LoadTest -- fanout`", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_targets_make_their_ratio_not_available()
    {
        var report = new FanoutReport(FanoutOptions.Parse(["--targets", "liveim"], null), Machine, [Target(TargetKind.LiveIm, 300, 50_000)]);
        Assert.Equal("capacity_ratio_vs_signalr=n/a frames_ratio_vs_raw=n/a", report.LastLine);
        Assert.EndsWith(report.LastLine, report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_without_capacity_makes_the_ratio_not_available()
    {
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine,
            [Target(TargetKind.LiveIm, 300, 50_000), Target(TargetKind.SignalR, 0, 1_000), Target(TargetKind.Raw, 10, 2_000)]);
        Assert.Equal("capacity_ratio_vs_signalr=n/a frames_ratio_vs_raw=25.00", report.LastLine);
    }

    [Fact]
    public void A_target_that_failed_to_start_is_reported_with_its_reason()
    {
        var failed = new TargetResult { Kind = TargetKind.LiveIm, Description = "LiveIm", Error = "RoomGateway.dll is missing at /x" };
        var markdown = new FanoutReport(FanoutOptions.Parse([], null), Machine, [failed]).ToMarkdown();
        Assert.Contains("**Not measured**: RoomGateway.dll is missing at /x", markdown, StringComparison.Ordinal);
    }

    private static TargetResult Target(TargetKind kind, double capacity, double frames)
    {
        var step = new StepResult
        {
            Rate = capacity, SentRate = capacity, ChatSent = 10, ChatFailed = 0, GiftsSent = 5, GiftsAcked = 5, GiftsFailed = 0,
            Seconds = 10, Receivers = 100, DeliveriesPerSecond = frames, FramesPerSecond = frames,
            Chat = new LatencySummary(10, 1, 2, 3, 4), Gift = new LatencySummary(5, 1, 2, 3, 4), All = new LatencySummary(15, 1, 2, 3, 4),
            ChatExpected = 1000, ChatReceived = 1000, GiftMinReceived = 5, GiftTotalReceived = 500, ClientsMissingGifts = 0, GiftDuplicates = 0,
            Cpu = [new ProcessCpu("server", 1, 2)], ClientCpuPercent = 50, MachineBusyPercent = 90, OtherCpuPercent = 5, RssUnderLoad = 200 << 20,
            ServerDrops = "n/a", DrainSeconds = 0.1, DrainTimedOut = false, FailReason = capacity > 0 ? null : "p99 2000 ms",
        };
        return new TargetResult
        {
            Kind = kind, Description = kind.ToString(), Join = new JoinStorm(100, 0, 0, 1, null), Tracers = 5,
            RssBefore = 100 << 20, RssIdle = 150 << 20, Steps = [step], Searched = true, Capacity = capacity,
        };
    }
}
