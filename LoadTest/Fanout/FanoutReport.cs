using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Fanout;

/// <summary>
/// The side-by-side report in Markdown: a table per target, ratios LiveIm/baseline and LiveIm/ceiling, the command
/// line and the machine, and as the last line <c>capacity_ratio_vs_signalr=&lt;x&gt; frames_ratio_vs_raw=&lt;y&gt;
/// memory_ratio_vs_signalr=&lt;z&gt; gift_p99_ms=&lt;ms&gt;</c>.
/// </summary>
public sealed class FanoutReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Other processes' CPU (% of one core) from which a target's figures are flagged as noisy.</summary>
    private const double NoisyOtherCpuPercent = 20;

    public FanoutReport(FanoutOptions options, MachineFacts machine, IReadOnlyList<TargetResult> targets)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Machine = machine ?? throw new ArgumentNullException(nameof(machine));
        Targets = targets ?? throw new ArgumentNullException(nameof(targets));
    }

    /// <summary>What ran.</summary>
    public FanoutOptions Options { get; }

    /// <summary>Where it ran.</summary>
    public MachineFacts Machine { get; }

    /// <summary>One result per target, in run order.</summary>
    public IReadOnlyList<TargetResult> Targets { get; }

    /// <summary>LiveIm's capacity over the baseline's; null when either is missing or the baseline's is 0.</summary>
    public double? CapacityRatioVsSignalR =>
        Find(TargetKind.LiveIm)?.Capacity is { } live && Find(TargetKind.SignalR)?.Capacity is { } baseline && baseline > 0
            ? live / baseline
            : null;

    /// <summary>LiveIm's frames/s at saturation over the ceiling's; null when either is missing or the ceiling's is 0.</summary>
    public double? FramesRatioVsRaw =>
        Find(TargetKind.LiveIm) is { Error: null, Steps.Count: > 0 } live && Find(TargetKind.Raw) is { Error: null, Steps.Count: > 0 } raw && raw.MaxFramesPerSecond > 0
            ? live.MaxFramesPerSecond / raw.MaxFramesPerSecond
            : null;

    /// <summary>The room chat budget RoomService admits by default (Chat:BudgetPerSecond), where gift latency is read.</summary>
    public const double RoomBudget = 20;

    /// <summary>LiveIm's memory per idle connection over stock SignalR's; null when either is missing.</summary>
    public double? MemoryRatioVsSignalR =>
        Find(TargetKind.LiveIm)?.BytesPerIdleConnection is { } live && Find(TargetKind.SignalR)?.BytesPerIdleConnection is { } baseline && baseline > 0
            ? live / baseline
            : null;

    /// <summary>
    /// LiveIm's gift p99 (ms) in the step whose chat rate is closest to the room budget (<see cref="RoomBudget"/>): what
    /// a gift costs while the room chats at the rate a person can read; null without gifts or steps.
    /// </summary>
    public double? GiftP99Ms =>
        Find(TargetKind.LiveIm) is { Steps.Count: > 0 } live
        && live.Steps.MinBy(s => Math.Abs(s.Rate - RoomBudget)) is { Gift.Count: > 0 } step
            ? step.Gift.P99
            : null;

    /// <summary>The machine-readable last line.</summary>
    public string LastLine => $"capacity_ratio_vs_signalr={Ratio(CapacityRatioVsSignalR)} frames_ratio_vs_raw={Ratio(FramesRatioVsRaw)} memory_ratio_vs_signalr={Ratio(MemoryRatioVsSignalR)} gift_p99_ms={(GiftP99Ms is { } g ? g.ToString("0", Invariant) : "n/a")}";

    /// <summary>True when every target ran (none failed to start or measure).</summary>
    public bool AllTargetsRan => Targets.All(t => t.Error is null);

    /// <summary>The whole report; its last line is <see cref="LastLine"/>.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        var o = Options;
        md.AppendLine("# LoadTest fanout: LiveIm vs stock SignalR vs raw WebSockets").AppendLine();
        md.AppendLine(Inv($"Workload: {o.Connections:N0} receivers per target, joined anonymously to one room; chat lines of {o.MessageSize} characters from {o.Publishers} publisher connections; {o.GiftRate:0.##} gifts/s; each step {o.Warmup.TotalSeconds:0.##} s warm-up + {o.Duration.TotalSeconds:0.##} s measured. ") +
            (o.Capacity
                ? Inv($"Capacity search from {o.StartRate:0.#} msg/s: ×2 while steps pass, then up to {o.BisectSteps} bisection steps (≤ {o.MaxRate:N0} msg/s). ")
                : Inv($"One step at {o.SingleRate:0.#} msg/s. ")) +
            Inv($"A step passes when p99 latency (chat and gifts) < {FanoutRunner.LatencyLimit.TotalSeconds:0} s, every receiver got every acknowledged gift, no gift send failed and ≥ {FanoutRunner.ChatDeliveryFloor:P0} of the expected chat deliveries arrived."));
        md.AppendLine();

        foreach (var t in Targets)
        {
            AppendTarget(md, t);
        }

        AppendRatios(md);

        md.AppendLine("## Run").AppendLine();
        md.AppendLine($"Command: `{string.Join(' ', new[] { "dotnet run -c Release --project LoadTest -- fanout" }.Concat(o.Arguments.Select(Quote)))}`");
        md.AppendLine();
        var m = Machine;
        md.AppendLine(Inv($"Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB:0.#} GiB, {m.Os}; dotnet SDK {m.DotnetSdk} ({m.Runtime}); open-files limit {(m.OpenFilesLimit is { } l ? l.ToString("N0", Invariant) : "unknown")}."));
        md.AppendLine();
        md.AppendLine("Targets run one at a time on loopback, each stopped before the next starts. The load clients run in the LoadTest process on the same cores, so compare the targets with each other (ratios), not with other machines.");
        md.AppendLine();
        md.Append(LastLine);
        return md.ToString();
    }

    private void AppendTarget(StringBuilder md, TargetResult t)
    {
        md.AppendLine($"## {Name(t.Kind)}: {t.Description}").AppendLine();
        if (t.Error is not null)
        {
            md.AppendLine($"**{(t.Steps.Count == 0 ? "Not measured" : "Stopped early")}**: {t.Error.Split('\n')[0]}").AppendLine();
            if (t.Steps.Count == 0)
            {
                return;
            }
        }

        if (t.Join is { } j)
        {
            md.AppendLine(Inv($"- Join storm: {j.Connected:N0} joined in {j.Seconds:0.0} s ({j.JoinsPerSecond:N0}/s), {j.Retries} retries, {j.Failed} failed") +
                (j.Failed > 0 && j.LastError is not null ? $" (last error: {j.LastError})" : string.Empty) +
                Inv($". Tracers: {t.Tracers}. Receivers lost during the run: {t.ReceiversLost}") +
                (t.LossReason is not null && t.ReceiversLost > 0 ? $" ({t.LossReason})" : string.Empty) + ".");
        }

        md.AppendLine(Inv($"- Memory ({FanOutName(t.Kind)} RSS): {Mb(t.RssBefore)} before connecting, {Mb(t.RssIdle)} with every receiver idle = **{Kb(t.BytesPerIdleConnection)} per connection**; ") +
            Inv($"peak under load {Mb(t.Steps.Select(s => s.RssUnderLoad ?? 0).DefaultIfEmpty(0).Max())} = {Kb(t.BytesPerConnectionUnderLoad)} per connection."));
        if (t.Searched)
        {
            var at = t.CapacityStep;
            md.AppendLine($"- Capacity: **{(t.CapacityAtLeast ? "≥ " : string.Empty)}{Rate(t.Capacity ?? 0)} msg/s**" +
                (at is null ? " (no step passed)" : Inv($" ({at.DeliveriesPerSecond:N0} deliveries/s, {at.FramesPerSecond:N0} frames/s, p99 {at.All.P99:0.#} ms)")) +
                Inv($"; frames/s at saturation (most in any step): {t.MaxFramesPerSecond:N0}."));
        }

        var noise = t.Steps.Select(s => s.OtherCpuPercent).DefaultIfEmpty(0).Max();
        if (noise >= NoisyOtherCpuPercent)
        {
            md.AppendLine(Inv($"- Noise: other processes on the machine used up to {noise:0} % of a core during these steps; latency and capacity are lower than on a quiet machine."));
        }

        md.AppendLine();
        md.AppendLine("| chat msg/s asked / sent | deliveries/s | frames/s | events/frame | wire bytes per delivery / per frame | chat p50 / p99 / p99.9 / max ms | gift p50 / p99 / p99.9 / max ms | gifts sent / fewest received by one receiver / total received / receivers missing any | chat delivered | CPU s per 1M deliveries | CPU % of a core: load client / other processes; machine busy % | RSS MB | drops: server / client-side loss | result |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in t.Steps)
        {
            var eventsPerFrame = s.FramesPerSecond > 0 ? s.DeliveriesPerSecond / s.FramesPerSecond : 0;
            var gifts = Inv($"{s.GiftsSent}") + (s.GiftsAcked != s.GiftsSent ? Inv($" ({s.GiftsAcked} acked, {s.GiftsFailed} failed)") : string.Empty) +
                Inv($" / {s.GiftMinReceived} / {s.GiftTotalReceived:N0} / {s.ClientsMissingGifts}") +
                (s.GiftDuplicates > 0 ? Inv($" ({s.GiftDuplicates} duplicates)") : string.Empty);
            var result = s.Passed ? "pass" : "FAIL: " + s.FailReason;
            if (s.DrainTimedOut)
            {
                result += Inv($" (drain timed out after {s.DrainSeconds:0} s)");
            }

            md.AppendLine(Inv($"| {Rate(s.Rate)} / {s.SentRate:0.#} | {s.DeliveriesPerSecond:N0} | {s.FramesPerSecond:N0} | {eventsPerFrame:0.##} | {Bytes(s.BytesPerDelivery)} / {Bytes(s.BytesPerFrame)} | {s.Chat} | {s.Gift} | {gifts} | {s.ChatDelivered:P1} | {Cpu(s)} | {s.ClientCpuPercent:0} / {s.OtherCpuPercent:0}; {s.MachineBusyPercent:0} | {Mb(s.RssUnderLoad)} | {s.ServerDrops} / chat {s.ChatLost:N0}, gift {s.GiftsLost:N0} | {result} |"));
        }

        md.AppendLine();
        if (t.Steps.LastOrDefault(s => s.LastSendError is not null) is { } failedSend && failedSend.ChatFailed + failedSend.GiftsFailed > 0)
        {
            md.AppendLine($"Last send error: {failedSend.LastSendError}").AppendLine();
        }
    }

    private void AppendRatios(StringBuilder md)
    {
        var live = Find(TargetKind.LiveIm);
        var baseline = Find(TargetKind.SignalR);
        var raw = Find(TargetKind.Raw);
        md.AppendLine("## Ratios").AppendLine();
        if (Options.Capacity)
        {
            md.AppendLine("Higher is better except for CPU and memory. \"at capacity\" is the highest passing step; \"saturation\" the most seen in any step.").AppendLine();
        }
        else
        {
            // No search: nothing here may say "capacity"; the CPU figures are those of the one step that ran.
            md.AppendLine(Inv($"Higher is better except for CPU and memory. One step at {Options.SingleRate:0.#} chat msg/s (--capacity off): no capacity figures.")).AppendLine();
        }

        md.AppendLine("| figure | liveim | signalr | raw | liveim / signalr | liveim / raw |");
        md.AppendLine("|---|---|---|---|---|---|");
        if (Options.Capacity)
        {
            Row(md, "capacity, chat msg/s", t => t.Searched ? t.Capacity : null, live, baseline, raw, "0.#");
            Row(md, "capacity, all input msg/s (chat + gifts)", t => t.Searched ? t.Capacity + Options.GiftRate : null, live, baseline, raw, "0.#");
            Row(md, "deliveries/s at capacity", t => t.CapacityStep?.DeliveriesPerSecond, live, baseline, raw, "N0");
        }

        Row(md, "deliveries/s, most in any step", t => t.Steps.Count > 0 ? t.MaxDeliveriesPerSecond : null, live, baseline, raw, "N0");
        Row(md, Options.Capacity ? "frames/s at saturation" : "frames/s in the step", t => t.Steps.Count > 0 ? t.MaxFramesPerSecond : null, live, baseline, raw, "N0");
        var where = Options.Capacity ? "at capacity" : "in the step";
        Func<TargetResult, StepResult?> step = Options.Capacity ? t => t.CapacityStep : t => t.Steps.LastOrDefault();
        Row(md, $"fan-out process CPU s per 1M deliveries, {where}", t => step(t)?.ServerCpuPerMillion, live, baseline, raw, "0.00");
        Row(md, $"all target processes CPU s per 1M deliveries, {where}", t => step(t)?.AllCpuPerMillion, live, baseline, raw, "0.00");
        Row(md, "fan-out process memory per idle connection, KB", t => t.BytesPerIdleConnection / 1024, live, baseline, raw, "0.0");
        md.AppendLine();
        md.AppendLine(FanoutSummary.NotAvailable + ".");
        if (FanoutSummary.MergeNote(this) is { } note)
        {
            md.AppendLine().AppendLine(note);
        }

        md.AppendLine();
    }

    private static void Row(StringBuilder md, string figure, Func<TargetResult, double?> value, TargetResult? live, TargetResult? baseline, TargetResult? raw, string format)
    {
        double? Of(TargetResult? t) => t is null ? null : value(t);
        string Show(double? v) => v is { } x ? x.ToString(format, Invariant) : "n/a";
        string Divide(double? a, double? b) => a is { } x && b is { } y && y > 0 ? (x / y).ToString("0.00", Invariant) : "n/a";
        var (l, s, r) = (Of(live), Of(baseline), Of(raw));
        md.AppendLine($"| {figure} | {Show(l)} | {Show(s)} | {Show(r)} | {Divide(l, s)} | {Divide(l, r)} |");
    }

    private TargetResult? Find(TargetKind kind) => Targets.FirstOrDefault(t => t.Kind == kind);

    private static string Cpu(StepResult s) => s.Cpu.Count switch
    {
        0 => "n/a",
        1 => Per(s.Cpu[0].PerMillionDeliveries),
        _ => string.Join(" · ", s.Cpu.Select(c => $"{Short(c.Name)} {Per(c.PerMillionDeliveries)}")),
    };

    private static string Short(string process) => process switch
    {
        "gateway" => "gw",
        "roomservice" => "rs",
        "nats-server" => "nats",
        "redis-server" => "redis",
        _ => process,
    };

    private static string Bytes(double? bytes) => bytes is { } b ? b.ToString("N0", Invariant) : "n/a";

    private static string Per(double? seconds) => seconds is { } s ? s.ToString("0.00", Invariant) : "n/a";

    private static string FanOutName(TargetKind kind) => kind switch
    {
        TargetKind.LiveIm or TargetKind.LiveImMessagePack => "gateway",
        TargetKind.SignalR => "signalr-server",
        _ => "raw-server",
    };

    private static string Name(TargetKind kind) => kind.Name();

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("0.00", Invariant) : "n/a";

    private static string Rate(double rate) => rate.ToString(rate >= 10 ? "N0" : "0.#", Invariant);

    private static string Mb(long? bytes) => bytes is { } b && b > 0 ? (b / 1024.0 / 1024.0).ToString("0", Invariant) + " MB" : "n/a";

    private static string Kb(double? bytes) => bytes is { } b ? (b / 1024.0).ToString("0.0", Invariant) + " KB" : "n/a";

    private static string Inv(FormattableString text) => text.ToString(Invariant);

    private static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '=' or ',' or '.' or '/' or '_') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
