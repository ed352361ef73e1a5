using System.Globalization;

namespace LiveIm.LoadTest.Fanout;

/// <summary>The options of <c>LoadTest fanout</c>; <see cref="Parse"/> reads and checks a command line.</summary>
public sealed record FanoutOptions
{
    /// <summary>Sockets this process needs besides the receivers: publishers, files, pipes to the child processes, the runtime's own.</summary>
    public const int ReservedDescriptors = 100;

    /// <summary>Receivers per target.</summary>
    public int Connections { get; init; } = 10_000;

    /// <summary>Chat messages/s into the room: the single step's rate, or the capacity search's first rate. Null: automatic.</summary>
    public double? ChatRate { get; init; }

    /// <summary>Gifts/s into the room, in every step.</summary>
    public double GiftRate { get; init; } = 5;

    /// <summary>Chat line length in characters.</summary>
    public int MessageSize { get; init; } = 100;

    /// <summary>Measured time per step.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Unmeasured sending before each step's measurement.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Targets, in the order they run.</summary>
    public IReadOnlyList<TargetKind> Targets { get; init; } = [TargetKind.LiveIm, TargetKind.SignalR, TargetKind.Raw];

    /// <summary>Passed to the gateway as <c>Fanout__TickMs</c> when set.</summary>
    public int? TickMs { get; init; }

    /// <summary>Search each target's capacity (true) or run one step at <see cref="ChatRate"/>.</summary>
    public bool Capacity { get; init; } = true;

    /// <summary>Highest chat rate the capacity search tries.</summary>
    public double MaxRate { get; init; } = 20_000;

    /// <summary>Publisher connections sharing the rate.</summary>
    public int Publishers { get; init; } = 4;

    /// <summary>One receiver in this many traces latency (at least 5 receivers trace).</summary>
    public int TracerRatio { get; init; } = 50;

    /// <summary>Loopback source addresses to rotate over (127.0.0.1 …), one per 10,000 connections.</summary>
    public int SourceAddresses { get; init; } = 4;

    /// <summary>Also write the report to this file.</summary>
    public string? Out { get; init; }

    /// <summary>Join storm: connections started per second.</summary>
    public double JoinRate { get; init; } = 2_000;

    /// <summary>Join storm: connections in progress at once.</summary>
    public int JoinConcurrency { get; init; } = 200;

    /// <summary>Bisection steps between the last passing and the first failing rate.</summary>
    public int BisectSteps { get; init; } = 3;

    /// <summary>Longest wait after a step for outstanding sends and deliveries.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The arguments as given (for the report's command line).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The rate of a single step (capacity off): <see cref="ChatRate"/>, else 100 msg/s.</summary>
    public double SingleRate => ChatRate ?? 100;

    /// <summary>
    /// The capacity search's first rate: <see cref="ChatRate"/>, else the rate that makes 50,000 deliveries/s
    /// (a load every target carries) — 5 msg/s for 10,000 receivers, 25 for 2,000 — within 2..1,000.
    /// </summary>
    public double StartRate => ChatRate ?? Math.Clamp(Math.Round(50_000.0 / Connections), 2, 1_000);

    /// <summary>The usage text of <c>--help</c>.</summary>
    public static string Usage => """
        usage: dotnet run -c Release --project LoadTest -- fanout [options]

        Runs one fan-out workload against three targets on loopback, each in its own process, and reports them side
        by side: liveim (RoomGateway + RoomService + nats-server + redis-server), signalr (a stock SignalR hub, the
        baseline) and raw (bare Kestrel WebSockets, the ceiling); liveim-msgpack is LiveIm again with the receivers on
        the MessagePack hub protocol (compare wire bytes per event with liveim). See docs/loadtest.md.

        options (defaults in brackets):
          --connections <n>        receivers per target, joined anonymously to one room [10000]
          --chat-rate <msg/s>      with --capacity off: the step's chat rate [100];
                                   with --capacity on: the search's first rate [50,000 deliveries/s worth]
          --gift-rate <gifts/s>    gifts per second in every step; every receiver must get every gift [5]
          --message-size <chars>   chat line length, 32..500 [100]
          --duration <time>        measured time per step: 10s, 500ms, 2m [10s]
          --warmup <time>          unmeasured sending before each step's measurement [3s]
          --targets <list>         comma-separated: liveim,signalr,raw,liveim-msgpack [liveim,signalr,raw]
          --tick-ms <ms>           passed to the gateway as Fanout__TickMs [unset]
          --capacity <on|off>      search each target's capacity (x2 steps, then bisection) [on]
          --max-rate <msg/s>       highest chat rate the search tries [20000]
          --bisect-steps <n>       bisection steps after the first failing rate [3]
          --publishers <n>         publisher connections sharing the rate [4]
          --tracer-ratio <n>       1 receiver in n parses every event for latency; at least 5 do [50]
          --source-addresses <n>   loopback source addresses 127.0.0.1.. to rotate, one per 10,000 connections [4]
          --join-rate <n/s>        join storm: connections started per second [2000]
          --join-concurrency <n>   join storm: connections in progress at once [200]
          --drain-timeout <time>   longest wait after a step for answers and deliveries [30s]
          --out <file.md>          also write the report to this file
          -h, --help               this text

        A step passes when p99 publish-to-receive latency (chat and gifts) is under 1 s, every receiver got every
        acknowledged gift, no gift send failed and at least 95 % of the expected chat deliveries arrived.
        The last line of the report is: capacity_ratio_vs_signalr=<x> frames_ratio_vs_raw=<y> memory_ratio_vs_signalr=<z> gift_p99_ms=<ms>
        (gift_p99_ms: LiveIm's gift p99 in the step closest to the room budget, 20 chat lines/s)
        """;

    /// <summary>
    /// Reads the options after <c>fanout</c>. <paramref name="openFilesLimit"/> is this process's hard open-files limit
    /// (null: unknown, not checked); one process holds every receiver's socket, so the limit caps
    /// <see cref="Connections"/>.
    /// </summary>
    /// <exception cref="OptionsException">An unknown option, a missing or malformed value, or a value out of range.</exception>
    public static FanoutOptions Parse(IReadOnlyList<string> args, long? openFilesLimit)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new FanoutOptions { Arguments = args.ToArray() };
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new OptionsException($"unexpected argument '{arg}'; options start with --. Run with --help.");
            }

            string name, value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                name = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                name = arg;
                if (name == "--no-capacity")
                {
                    o = o with { Capacity = false };
                    continue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new OptionsException($"{name} needs a value. Run with --help.");
                }

                value = args[++i];
            }

            o = name switch
            {
                "--connections" => o with { Connections = Int(name, value, 1, int.MaxValue) },
                "--chat-rate" => o with { ChatRate = Number(name, value, 0.1, 100_000) },
                "--gift-rate" => o with { GiftRate = Number(name, value, 0, 1_000) },
                "--message-size" => o with { MessageSize = Int(name, value, Measurement.Payload.MinMessageSize, Measurement.Payload.MaxMessageSize) },
                "--duration" => o with { Duration = Time(name, value, TimeSpan.FromMilliseconds(500)) },
                "--warmup" => o with { Warmup = Time(name, value, TimeSpan.Zero) },
                "--targets" => o with { Targets = TargetList(value) },
                "--tick-ms" => o with { TickMs = Int(name, value, 1, 10_000) },
                "--capacity" => o with { Capacity = Switch(name, value) },
                "--max-rate" => o with { MaxRate = Number(name, value, 1, 1_000_000) },
                "--bisect-steps" => o with { BisectSteps = Int(name, value, 0, 20) },
                "--publishers" => o with { Publishers = Int(name, value, 1, 64) },
                "--tracer-ratio" => o with { TracerRatio = Int(name, value, 1, int.MaxValue) },
                "--source-addresses" => o with { SourceAddresses = Int(name, value, 1, 254) },
                "--join-rate" => o with { JoinRate = Number(name, value, 1, 1_000_000) },
                "--join-concurrency" => o with { JoinConcurrency = Int(name, value, 1, 10_000) },
                "--drain-timeout" => o with { DrainTimeout = Time(name, value, TimeSpan.FromSeconds(1)) },
                "--out" => o with { Out = string.IsNullOrWhiteSpace(value) ? throw new OptionsException("--out needs a file name.") : value },
                _ => throw new OptionsException($"unknown option '{name}'. Run with --help for the list."),
            };
        }

        if (o.ChatRate is { } rate && o.Capacity && rate > o.MaxRate)
        {
            throw new OptionsException($"--chat-rate {rate} is above --max-rate {o.MaxRate}: the capacity search starts at the chat rate.");
        }

        if (openFilesLimit is { } limit)
        {
            var reserve = o.Publishers + ReservedDescriptors;
            if (o.Connections + reserve > limit)
            {
                throw new OptionsException(
                    $"--connections {o.Connections:N0} is above what one process can hold: each receiver is a socket, this process " +
                    $"needs ~{reserve} more descriptors, and its open-files limit is {limit:N0} (ulimit -Hn; raising it needs privileges). " +
                    $"Use at most {Math.Max(0, limit - reserve):N0} connections.");
            }
        }

        return o;
    }

    internal static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            throw new OptionsException($"{name} '{value}' is not a whole number.");
        }

        return n < min || n > max
            ? throw new OptionsException($"{name} {n} is out of range: use {min}..{max}.")
            : n;
    }

    internal static double Number(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
            || !double.IsFinite(n))
        {
            throw new OptionsException($"{name} '{value}' is not a number.");
        }

        return n < min || n > max
            ? throw new OptionsException($"{name} {n} is out of range: use {min}..{max}.")
            : n;
    }

    /// <summary>"10s", "500ms", "2m", "1.5s", or plain seconds.</summary>
    internal static TimeSpan Time(string name, string value, TimeSpan min)
    {
        var text = value.Trim();
        double scale = 1;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            scale = 0.001;
            text = text[..^2];
        }
        else if (text.EndsWith('s') || text.EndsWith('S'))
        {
            text = text[..^1];
        }
        else if (text.EndsWith('m') || text.EndsWith('M'))
        {
            scale = 60;
            text = text[..^1];
        }

        if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
            || !double.IsFinite(n))
        {
            throw new OptionsException($"{name} '{value}' is not a time: use e.g. 10s, 500ms or 2m.");
        }

        var seconds = n * scale;
        if (seconds < min.TotalSeconds || seconds > 3600)
        {
            throw new OptionsException($"{name} {value} is out of range: use {min.TotalSeconds:0.###}s..1h.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    internal static bool Switch(string name, string value) => value.ToUpperInvariant() switch
    {
        "ON" or "TRUE" or "YES" or "1" => true,
        "OFF" or "FALSE" or "NO" or "0" => false,
        _ => throw new OptionsException($"{name} '{value}': use on or off."),
    };

    private static TargetKind[] TargetList(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0)
        {
            throw new OptionsException("--targets needs at least one of liveim, signalr, raw, liveim-msgpack.");
        }

        var targets = new List<TargetKind>();
        foreach (var name in names)
        {
            var kind = TargetNames.Parse(name)
                ?? throw new OptionsException($"--targets: unknown target '{name}'; use liveim, signalr, raw, liveim-msgpack.");
            if (targets.Contains(kind))
            {
                throw new OptionsException($"--targets names '{name}' twice.");
            }

            targets.Add(kind);
        }

        return targets.ToArray();
    }
}
