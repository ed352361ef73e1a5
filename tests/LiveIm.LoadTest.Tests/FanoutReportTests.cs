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
        Assert.Equal("capacity_ratio_vs_signalr=3.33 frames_ratio_vs_raw=0.67 memory_ratio_vs_signalr=1.00 gift_p99_ms=2", lines[^1]);
        Assert.Contains(lines, l => l.StartsWith("| capacity, chat msg/s | 300 | 90 | 400 | 3.33 | 0.75 |", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Command: `dotnet run -c Release --project LoadTest -- fanout`", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_targets_make_their_ratio_not_available()
    {
        var report = new FanoutReport(FanoutOptions.Parse(["--targets", "liveim"], null), Machine, [Target(TargetKind.LiveIm, 300, 50_000)]);
        Assert.Equal("capacity_ratio_vs_signalr=n/a frames_ratio_vs_raw=n/a memory_ratio_vs_signalr=n/a gift_p99_ms=2", report.LastLine);
        Assert.EndsWith(report.LastLine, report.ToMarkdown(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_without_capacity_makes_the_ratio_not_available()
    {
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine,
            [Target(TargetKind.LiveIm, 300, 50_000), Target(TargetKind.SignalR, 0, 1_000), Target(TargetKind.Raw, 10, 2_000)]);
        Assert.Equal("capacity_ratio_vs_signalr=n/a frames_ratio_vs_raw=25.00 memory_ratio_vs_signalr=1.00 gift_p99_ms=2", report.LastLine);
    }

    [Fact]
    public void Memory_is_liveims_over_signalrs_and_the_gift_p99_is_read_at_the_step_nearest_the_room_budget()
    {
        var live = Target(TargetKind.LiveIm, 300, 50_000);
        var gift = (double p99) => new LatencySummary(5, 1, p99, p99, p99);
        live = live with
        {
            RssIdle = (100 << 20) + 60 * 1024 * 100, // 60 KB per connection over 100 receivers
            Steps = [live.Steps[0] with { Rate = 5, Gift = gift(90) }, live.Steps[0] with { Rate = 20, Gift = gift(180) }, live.Steps[0] with { Rate = 40, Gift = gift(700) }],
        };
        var baseline = Target(TargetKind.SignalR, 90, 20_000) with { RssIdle = (100 << 20) + 40 * 1024 * 100 };
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine, [live, baseline]);
        Assert.Equal(1.5, report.MemoryRatioVsSignalR!.Value, 3);
        Assert.EndsWith("memory_ratio_vs_signalr=1.50 gift_p99_ms=180", report.LastLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Wire_bytes_per_delivery_and_per_frame_are_reported_for_every_target_JSON_and_MessagePack_side_by_side()
    {
        var report = new FanoutReport(FanoutOptions.Parse(["--targets", "liveim,liveim-msgpack", "--capacity", "off"], null), Machine,
            [Target(TargetKind.LiveIm, 20, 50_000, searched: false), Target(TargetKind.LiveImMessagePack, 20, 50_000, searched: false)]);

        var markdown = report.ToMarkdown();
        Assert.Contains("## liveim-msgpack: LiveImMessagePack", markdown, StringComparison.Ordinal);
        Assert.Contains("| wire bytes per delivery / per frame |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1 | 260 / 1,300 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1 | 180 / 900 |", markdown, StringComparison.Ordinal);

        var lines = FanoutSummary.Render(report, null).Split('\n');
        var wire = lines.SkipWhile(l => !l.StartsWith("target ", StringComparison.Ordinal) || !l.Contains("bytes/event", StringComparison.Ordinal))
            .Take(4).ToArray();
        Assert.StartsWith("bytes/event, bytes/frame: WebSocket payload bytes", wire[3], StringComparison.Ordinal);
        Assert.Matches(@"^liveim\s+260\s+1,300$", wire[1]);
        Assert.Matches(@"^liveim-msgpack\s+180\s+900$", wire[2]);
        Assert.Contains(lines, l => l.StartsWith("liveim-msgpack ", StringComparison.Ordinal) && l.EndsWith("pass", StringComparison.Ordinal));
    }

    [Fact]
    public void A_target_that_failed_to_start_is_reported_with_its_reason()
    {
        var failed = new TargetResult { Kind = TargetKind.LiveIm, Description = "LiveIm", Error = "RoomGateway.dll is missing at /x" };
        var markdown = new FanoutReport(FanoutOptions.Parse([], null), Machine, [failed]).ToMarkdown();
        Assert.Contains("**Not measured**: RoomGateway.dll is missing at /x", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_terminal_summary_is_one_narrow_row_per_target_and_ends_with_the_last_line()
    {
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine,
        [
            Target(TargetKind.LiveIm, capacity: 300, frames: 50_000),
            Target(TargetKind.SignalR, capacity: 90, frames: 20_000),
            Target(TargetKind.Raw, capacity: 400, frames: 75_000),
        ]);

        var summary = FanoutSummary.Render(report, "fanout-report.md");
        var lines = summary.Split('\n');
        Assert.Equal(report.LastLine, lines[^1]);
        var table = lines.SkipWhile(l => !l.StartsWith("target", StringComparison.Ordinal)).TakeWhile(l => l.Length > 0).ToArray();
        Assert.Equal(4, table.Length); // header + three targets
        Assert.All(table, l => Assert.True(l.Length <= 110, $"{l.Length} characters: {l}"));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(table[1], @"^liveim\s+300\s+50,000\s+50,000\s+1\.0 / 2\.0\s+2\.0\s+2\.00\s+512\.0\s+pass$"), summary);
        Assert.Contains("LiveIm's capacity is 3.33x stock SignalR's.", summary, StringComparison.Ordinal);
        Assert.Contains("Every step and column: fanout-report.md", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("n/a", string.Join('\n', lines[..^1]), StringComparison.Ordinal); // nothing missing, no legend
    }

    [Fact]
    public void Without_a_capacity_search_nothing_is_called_capacity_and_the_CPU_rows_say_which_step()
    {
        var options = FanoutOptions.Parse(["--capacity", "off", "--chat-rate", "20"], null);
        var report = new FanoutReport(options, Machine,
            [Target(TargetKind.LiveIm, 20, 50_000, searched: false), Target(TargetKind.SignalR, 20, 20_000, searched: false)]);

        var markdown = report.ToMarkdown();
        var ratios = markdown[markdown.IndexOf("## Ratios", StringComparison.Ordinal)..];
        Assert.DoesNotContain("capacity,", ratios, StringComparison.Ordinal);
        Assert.DoesNotContain("at capacity", ratios, StringComparison.Ordinal);
        Assert.True(ratios.Contains("| fan-out process CPU s per 1M deliveries, in the step | 2.00 | 2.00 |", StringComparison.Ordinal), ratios);
        var summary = FanoutSummary.Render(report, null);
        Assert.Contains("step msg/s", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("capacity", summary.Split('\n')[2..^1].Aggregate(string.Empty, (a, l) => a + l), StringComparison.Ordinal);
    }

    [Fact]
    public void When_LiveIm_is_slower_than_stock_SignalR_one_line_says_the_merge_tick_is_why()
    {
        var slower = new FanoutReport(FanoutOptions.Parse([], null), Machine,
            [Target(TargetKind.LiveIm, 300, 50_000, chatP50: 48), Target(TargetKind.SignalR, 90, 20_000, chatP50: 3)]);
        var note = FanoutSummary.MergeNote(slower);
        Assert.NotNull(note);
        Assert.Contains("(48 ms)", note, StringComparison.Ordinal);
        Assert.Contains("waits for the next (50 ms for a small room; for a big one the gateway", note, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', note);
        Assert.Contains(note, FanoutSummary.Render(slower, null), StringComparison.Ordinal);
        Assert.Contains(note, slower.ToMarkdown(), StringComparison.Ordinal);

        var faster = new FanoutReport(FanoutOptions.Parse([], null), Machine,
            [Target(TargetKind.LiveIm, 300, 50_000, chatP50: 3), Target(TargetKind.SignalR, 90, 20_000, chatP50: 48)]);
        Assert.Null(FanoutSummary.MergeNote(faster));
    }

    [Fact]
    public void A_figure_that_is_missing_is_n_a_and_the_summary_says_what_that_means()
    {
        var failed = new TargetResult { Kind = TargetKind.SignalR, Description = "stock", Error = "LoadTest.dll is missing at /x" };
        var report = new FanoutReport(FanoutOptions.Parse([], null), Machine, [Target(TargetKind.LiveIm, 0, 1_000), failed]);
        var summary = FanoutSummary.Render(report, null);
        Assert.Contains("none passed", summary, StringComparison.Ordinal);
        Assert.Contains("not run", summary, StringComparison.Ordinal);
        Assert.Contains("LoadTest.dll is missing at /x", summary, StringComparison.Ordinal);
        Assert.Contains(FanoutSummary.NotAvailable, summary, StringComparison.Ordinal);
        Assert.Contains(FanoutSummary.NotAvailable, report.ToMarkdown(), StringComparison.Ordinal);
    }

    private static TargetResult Target(TargetKind kind, double capacity, double frames, bool searched = true, double chatP50 = 1)
    {
        var step = new StepResult
        {
            Rate = capacity, SentRate = capacity, ChatSent = 10, ChatFailed = 0, GiftsSent = 5, GiftsAcked = 5, GiftsFailed = 0,
            Seconds = 10, Receivers = 100, DeliveriesPerSecond = frames, FramesPerSecond = frames,
            BytesPerDelivery = kind == TargetKind.LiveImMessagePack ? 180 : 260, BytesPerFrame = kind == TargetKind.LiveImMessagePack ? 900 : 1_300,
            Chat = new LatencySummary(10, chatP50, Math.Max(2, chatP50), Math.Max(3, chatP50), Math.Max(4, chatP50)), Gift = new LatencySummary(5, 1, 2, 3, 4), All = new LatencySummary(15, 1, 2, 3, 4),
            ChatExpected = 1000, ChatReceived = 1000, GiftMinReceived = 5, GiftTotalReceived = 500, ClientsMissingGifts = 0, GiftDuplicates = 0,
            Cpu = [new ProcessCpu("server", 1, 2)], ClientCpuPercent = 50, MachineBusyPercent = 90, OtherCpuPercent = 5, RssUnderLoad = 200 << 20,
            ServerDrops = "n/a", DrainSeconds = 0.1, DrainTimedOut = false, FailReason = capacity > 0 ? null : "p99 2000 ms",
        };
        return new TargetResult
        {
            Kind = kind, Description = kind.ToString(), Join = new JoinStorm(100, 0, 0, 1, null), Tracers = 5,
            RssBefore = 100 << 20, RssIdle = 150 << 20, Steps = [step], Searched = searched, Capacity = searched ? capacity : null,
        };
    }
}
