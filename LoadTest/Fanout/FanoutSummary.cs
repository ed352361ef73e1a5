using System.Globalization;
using System.Text;

namespace LiveIm.LoadTest.Fanout;

/// <summary>
/// The short form of a <see cref="FanoutReport"/> for a terminal: one row per target with the figures a reader compares
/// first, the ratios, what a blank figure means, and why LiveIm is slower than stock SignalR in a small room when it
/// is. It ends with the same last line as the report. The full Markdown (every step, every column) goes to a file.
/// </summary>
public static class FanoutSummary
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>What "n/a" means wherever the report shows it.</summary>
    public const string NotAvailable = "n/a = not measured in this run: the target did not run, no step passed, or the figure could not be read";

    /// <summary>The terminal summary (at most about 110 characters wide); its last line is <see cref="FanoutReport.LastLine"/>.</summary>
    public static string Render(FanoutReport report, string? fullReportPath)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Options;
        var text = new StringBuilder();
        text.AppendLine(Inv($"LoadTest fanout: {o.Connections:N0} receivers in one room, chat lines of {o.MessageSize} characters, {o.GiftRate:0.##} gift(s)/s; ") +
            (o.Capacity ? "capacity search (the highest step that passed)." : Inv($"one step at {o.SingleRate:0.#} chat msg/s.")));
        text.AppendLine();

        var rows = new List<string[]>
        {
            new[] { "target", o.Capacity ? "capacity msg/s" : "step msg/s", "deliveries/s", "frames/s", "chat p50/p99 ms", "gift p99 ms", "CPU s/1M", "KB/conn", "result" },
        };
        foreach (var t in report.Targets)
        {
            rows.Add(Row(t, o.Capacity));
        }

        AppendTable(text, rows);
        text.AppendLine();
        text.AppendLine("CPU s/1M: CPU seconds of the fan-out process per million deliveries. KB/conn: its memory per idle connection.");
        text.AppendLine();
        var wire = new List<string[]> { new[] { "target", "bytes/event", "bytes/frame" } };
        foreach (var t in report.Targets)
        {
            wire.Add(WireRow(t));
        }

        AppendTable(text, wire);
        text.AppendLine("bytes/event, bytes/frame: WebSocket payload bytes the receivers got per delivered event and per events frame (same step).");
        if (report.CapacityRatioVsSignalR is { } capacity)
        {
            text.AppendLine(Inv($"LiveIm's capacity is {capacity:0.00}x stock SignalR's."));
        }

        if (report.FramesRatioVsRaw is { } frames)
        {
            text.AppendLine(Inv($"LiveIm writes {frames:0.00}x the frames/s of the raw WebSocket ceiling (fewer frames with more events each is the point of merging)."));
        }

        if (MergeNote(report) is { } note)
        {
            text.AppendLine(note);
        }

        if (report.Targets.Any(t => Row(t, o.Capacity).Contains("n/a") || WireRow(t).Contains("n/a")) || report.LastLine.Contains("n/a", StringComparison.Ordinal))
        {
            text.AppendLine(NotAvailable + ".");
        }

        if (fullReportPath is not null)
        {
            text.AppendLine($"Every step and column: {fullReportPath}");
        }

        text.AppendLine();
        text.Append(report.LastLine);
        return text.ToString();
    }

    /// <summary>
    /// One line when LiveIm's chat latency is above stock SignalR's in the compared step (a small room, or a low rate):
    /// by design a line takes the bus round trip through RoomService and a busy room's events wait for the gateway's
    /// tick, one frame per tick; null otherwise.
    /// </summary>
    public static string? MergeNote(FanoutReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var live = Compared(report.Targets.FirstOrDefault(t => t.Kind == TargetKind.LiveIm));
        var baseline = Compared(report.Targets.FirstOrDefault(t => t.Kind == TargetKind.SignalR));
        if (live is null || baseline is null || live.Chat.Count == 0 || baseline.Chat.Count == 0 || live.Chat.P50 <= baseline.Chat.P50)
        {
            return null;
        }

        var tick = report.Options.TickMs is { } ms
            ? Inv($"{ms} ms (--tick-ms)")
            : "50 ms for a small room; for a big one the gateway's measured cost of a frame write times its members there, at most 500 ms";
        return Inv($"Why LiveIm's chat p50 ({live.Chat.P50:0.#} ms) is above stock SignalR's ({baseline.Chat.P50:0.#} ms): by design, a line goes through RoomService ") +
            Inv($"(stamped in Redis, published once on NATS) instead of staying in one process, and a room that already sent within the last tick waits for the next ({tick}) ") +
            "so that each member gets one frame per tick; that merging is what keeps a big, busy room cheap.";
    }

    // The step a target is judged by: the highest passing one in a capacity search, else its only (or last) step.
    private static StepResult? Compared(TargetResult? t) =>
        t is null || t.Error is not null && t.Steps.Count == 0 ? null : t.CapacityStep ?? (t.Searched ? null : t.Steps.LastOrDefault());

    private static string[] Row(TargetResult t, bool capacity)
    {
        var name = t.Kind.Name();
        if (t.Error is not null && t.Steps.Count == 0)
        {
            return [name, "not run", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, Short(t.Error.Split('\n')[0], 60)];
        }

        var step = Compared(t);
        var head = capacity
            ? t.Capacity is { } c && c > 0 ? (t.CapacityAtLeast ? "≥ " : string.Empty) + Rate(c) : "none passed"
            : step is null ? "n/a" : Rate(step.Rate);
        var result = step is null
            ? t.Steps.LastOrDefault()?.FailReason is { } why ? "FAIL: " + Short(why, 30) : "n/a"
            : step.Passed ? "pass" : "FAIL: " + Short(step.FailReason!, 30);
        if (t.Error is not null)
        {
            result += " (stopped early)";
        }

        return
        [
            name,
            head,
            step is null ? "n/a" : step.DeliveriesPerSecond.ToString("N0", Invariant),
            step is null ? "n/a" : step.FramesPerSecond.ToString("N0", Invariant),
            step is null || step.Chat.Count == 0 ? "n/a" : $"{Ms(step.Chat.P50)} / {Ms(step.Chat.P99)}",
            step is null || step.Gift.Count == 0 ? "n/a" : Ms(step.Gift.P99),
            step?.ServerCpuPerMillion is { } cpu ? cpu.ToString("0.00", Invariant) : "n/a",
            t.BytesPerIdleConnection is { } bytes ? (bytes / 1024).ToString("0.0", Invariant) : "n/a",
            result,
        ];
    }

    private static string[] WireRow(TargetResult t)
    {
        var step = Compared(t);
        return
        [
            t.Kind.Name(),
            step?.BytesPerDelivery is { } perEvent ? perEvent.ToString("N0", Invariant) : "n/a",
            step?.BytesPerFrame is { } perFrame ? perFrame.ToString("N0", Invariant) : "n/a",
        ];
    }

    private static void AppendTable(StringBuilder text, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                // Names and results left-aligned, figures right-aligned.
                var cell = i is 0 || i == row.Length - 1 || row == rows[0] ? row[i].PadRight(widths[i]) : row[i].PadLeft(widths[i]);
                line.Append(cell).Append(i < row.Length - 1 ? "  " : string.Empty);
            }

            text.AppendLine(line.ToString().TrimEnd());
        }
    }

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.0" : "N0", Invariant);

    private static string Rate(double rate) => rate.ToString(rate >= 10 ? "N0" : "0.#", Invariant);

    private static string Short(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Inv(FormattableString text) => text.ToString(Invariant);
}
