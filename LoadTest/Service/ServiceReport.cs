using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Service;

/// <summary>
/// The report in Markdown: the systems, one row per run and lane, CPU per call per process, the medians per system
/// with ratios against the first, the command line and the machine, and as the last line
/// <c>service_cpu_per_call_ratio=&lt;x&gt; service_chat_p99_ratio=&lt;y&gt; service_gift_p99_ratio=&lt;z&gt;</c>.
/// </summary>
public sealed class ServiceReport
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    private static readonly string[] ProcessNames = ["gateway", "roomservice", "nats-server", "redis-server"];

    public ServiceReport(ServiceOptions options, MachineFacts machine, IReadOnlyList<SystemInfo> systems, IReadOnlyList<ServiceRunResult> runs)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Machine = machine ?? throw new ArgumentNullException(nameof(machine));
        Systems = systems ?? throw new ArgumentNullException(nameof(systems));
        Runs = runs ?? throw new ArgumentNullException(nameof(runs));
    }

    public ServiceOptions Options { get; }

    public MachineFacts Machine { get; }

    public IReadOnlyList<SystemInfo> Systems { get; }

    public IReadOnlyList<ServiceRunResult> Runs { get; }

    /// <summary>True when every run was measured.</summary>
    public bool AllRan => Runs.All(r => r.Error is null);

    /// <summary>The figures compared between systems: name and how to read one run.</summary>
    private static IReadOnlyList<(string Name, Func<ServiceRunResult, double?> Read)> Figures { get; } =
    [
        ("chat p50, ms", r => r.Chat is { Latency.Count: > 0 } c ? c.Latency.P50 : null),
        ("chat p99, ms", r => r.Chat is { Latency.Count: > 0 } c ? c.Latency.P99 : null),
        ("gift p50, ms", r => r.Gift is { Latency.Count: > 0 } g ? g.Latency.P50 : null),
        ("gift p99, ms", r => r.Gift is { Latency.Count: > 0 } g ? g.Latency.P99 : null),
        ("chat calls/s sustained", r => r.Chat?.SustainedPerSecond),
        ("gift calls/s sustained", r => r.Gift?.SustainedPerSecond),
        .. ProcessNames.Select(n => ($"{n} CPU µs/call", (Func<ServiceRunResult, double?>)(r => r.Cpu.FirstOrDefault(c => c.Name == n)?.MicrosecondsPerCall))),
        ("all four CPU µs/call", r => r.AllCpuPerCall),
    ];

    /// <summary>The median of <paramref name="read"/> over the measured runs of <paramref name="system"/>, or null.</summary>
    public double? Median(int system, Func<ServiceRunResult, double?> read)
    {
        var values = Runs.Where(r => r.System == system && r.Error is null).Select(read).OfType<double>().Order().ToArray();
        return values.Length == 0 ? null : values.Length % 2 == 1 ? values[values.Length / 2] : (values[(values.Length / 2) - 1] + values[values.Length / 2]) / 2;
    }

    /// <summary>The last system's median over the first's, or null (one system, or a figure missing or 0).</summary>
    public double? LastOverFirst(Func<ServiceRunResult, double?> read) =>
        Systems.Count > 1 && Median(Systems.Count - 1, read) is { } last && Median(0, read) is { } first && first > 0 ? last / first : null;

    /// <summary>The machine-readable last line.</summary>
    public string LastLine =>
        $"service_cpu_per_call_ratio={Ratio(LastOverFirst(r => r.AllCpuPerCall))} " +
        $"service_chat_p99_ratio={Ratio(LastOverFirst(Figures[1].Read))} service_gift_p99_ratio={Ratio(LastOverFirst(Figures[3].Read))}";

    /// <summary>The whole report; its last line is <see cref="LastLine"/>.</summary>
    public string ToMarkdown()
    {
        var o = Options;
        var md = new StringBuilder();
        md.AppendLine("# LoadTest service: calls through gateway → NATS → RoomService → Redis").AppendLine();
        md.AppendLine(Inv($"Workload: SendChat at {o.ChatRate:0.##}/s and SendGift at {o.GiftRate:0.##}/s (open loop, latency from each call's due time to its answer), from {o.Callers} official SignalR client connections in {o.Rooms} rooms; chat lines of {o.MessageSize} characters; {o.Warmup.TotalSeconds:0.##} s warm-up + {o.Duration.TotalSeconds:0.##} s measured per run; {o.Rounds} round(s), systems alternating. Each run starts its system afresh: nats-server, redis-server, RoomService and one RoomGateway from that checkout's build."));
        md.AppendLine();

        md.AppendLine("## Systems").AppendLine();
        md.AppendLine("| # | checkout | commit | RoomService build |");
        md.AppendLine("|---|---|---|---|");
        for (var i = 0; i < Systems.Count; i++)
        {
            var s = Systems[i];
            md.AppendLine(Inv($"| {i + 1} | {s.Root ?? "this checkout"} | {s.Commit} | {s.RoomServiceDll} |"));
        }

        md.AppendLine();
        md.AppendLine("## Runs").AppendLine();
        md.AppendLine("| system | round | lane | asked/s | due in window | ok | failed | sustained/s | p50 / p99 / p99.9 / max ms | result |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Runs)
        {
            if (r.Error is not null && r.Chat is null)
            {
                md.AppendLine(Inv($"| {r.System + 1} | {r.Round} | — | | | | | | | FAILED: {Cell(r.Error)} |"));
                continue;
            }

            foreach (var (lane, l) in new[] { ("chat", r.Chat), ("gift", r.Gift) })
            {
                if (l is null || l.Asked == 0)
                {
                    continue;
                }

                var verdict = r.Error is not null ? "FAILED: " + Cell(r.Error) : l.KeptUp ? "kept up" : "fell behind" + (l.LastError is { } e ? ": " + Cell(e) : string.Empty);
                md.AppendLine(Inv($"| {r.System + 1} | {r.Round} | {lane} | {l.Asked:0.##} | {l.Due:N0} | {l.Ok:N0} | {l.Failed:N0} | {l.SustainedPerSecond:0.#} | {l.Latency} | {verdict} |"));
            }
        }

        md.AppendLine();
        md.AppendLine("## CPU per call").AppendLine();
        md.AppendLine("CPU (utime + stime from `/proc/<pid>/stat`) of each system process in the window, in µs per call due in the window (chat and gifts together); the load client's and every other process's CPU in % of one core, the machine's busy time in % of all cores. Other processes well above zero mean someone else's work shared the cores.");
        md.AppendLine();
        md.AppendLine("| system | round | gateway | roomservice | nats-server | redis-server | all four | load client % | other % | machine busy % |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in Runs.Where(r => r.Chat is not null))
        {
            var cells = ProcessNames.Select(n => r.Cpu.FirstOrDefault(c => c.Name == n)?.MicrosecondsPerCall is { } us ? us.ToString("0.#", Invariant) : "n/a");
            md.AppendLine(Inv($"| {r.System + 1} | {r.Round} | {string.Join(" | ", cells)} | {r.AllCpuPerCall:0.#} | {r.ClientCpuPercent:0} | {r.OtherCpuPercent:0} | {r.MachineBusyPercent:0} |"));
        }

        md.AppendLine();
        md.AppendLine("## Medians per system").AppendLine();
        var header = new StringBuilder("| figure |");
        var rule = new StringBuilder("|---|");
        for (var i = 0; i < Systems.Count; i++)
        {
            header.Append(Inv($" {i + 1}: {Systems[i].Commit} |"));
            rule.Append("---|");
        }

        for (var i = 1; i < Systems.Count; i++)
        {
            header.Append(Inv($" {i + 1} / 1 |"));
            rule.Append("---|");
        }

        md.AppendLine(header.ToString()).AppendLine(rule.ToString());
        foreach (var (name, read) in Figures)
        {
            var row = new StringBuilder(Inv($"| {name} |"));
            for (var i = 0; i < Systems.Count; i++)
            {
                row.Append(Inv($" {Value(Median(i, read))} |"));
            }

            for (var i = 1; i < Systems.Count; i++)
            {
                var ratio = Median(i, read) is { } v && Median(0, read) is { } first && first > 0 ? v / first : (double?)null;
                row.Append(Inv($" {Ratio(ratio)} |"));
            }

            md.AppendLine(row.ToString());
        }

        md.AppendLine();
        md.AppendLine("## Run").AppendLine();
        md.AppendLine($"Command: `{string.Join(' ', new[] { "dotnet run -c Release --project LoadTest -- service" }.Concat(o.Arguments.Select(Quote)))}`");
        md.AppendLine();
        var m = Machine;
        md.AppendLine(Inv($"Machine: {m.Cores} cores ({m.CpuModel}), {m.MemoryGiB:0.#} GiB, {m.Os}; dotnet SDK {m.DotnetSdk} ({m.Runtime})."));
        md.AppendLine();
        md.AppendLine("The callers run in the LoadTest process on the same cores as the system. Compare systems measured in the same report (the ratios), not with other machines; for a lower latency is better, for sustained calls/s higher.");
        md.AppendLine();
        md.Append(LastLine);
        return md.ToString();
    }

    private static string Inv(FormattableString s) => s.ToString(Invariant);

    private static string Value(double? v) => v switch
    {
        null => "n/a",
        < 10 => v.Value.ToString("0.##", Invariant),
        _ => v.Value.ToString("#,0.#", Invariant),
    };

    private static string Ratio(double? r) => r is { } x ? x.ToString("0.00", Invariant) : "n/a";

    private static string Cell(string text) => text.Replace('|', '/').Replace('\n', ' ');

    private static string Quote(string arg) => arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg;
}
