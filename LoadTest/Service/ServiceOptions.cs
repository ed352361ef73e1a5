using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Service;

/// <summary>The options of <c>LoadTest service</c>; <see cref="Parse"/> reads and checks a command line.</summary>
public sealed record ServiceOptions
{
    /// <summary>Chat calls per second, over all callers.</summary>
    public double ChatRate { get; init; } = 200;

    /// <summary>Gift calls per second, over all callers.</summary>
    public double GiftRate { get; init; } = 50;

    /// <summary>Caller connections (official SignalR clients) sharing the rates round-robin.</summary>
    public int Callers { get; init; } = 8;

    /// <summary>Rooms the callers are spread over (caller i joins room i mod rooms).</summary>
    public int Rooms { get; init; } = 8;

    /// <summary>Chat line length in characters.</summary>
    public int MessageSize { get; init; } = 100;

    /// <summary>Measured time per run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Unmeasured calling before the measurement.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Checkouts whose Release build is started and measured, in order (null entry: this checkout). Each runs on its
    /// own, one after the other; ratios are against the first.
    /// </summary>
    public IReadOnlyList<string?> SystemRoots { get; init; } = [null];

    /// <summary>Times each system runs, alternating (A B A B …), so drift on a shared machine falls on both alike.</summary>
    public int Rounds { get; init; } = 1;

    /// <summary>Longest wait after the window for calls still in flight.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Also write the report to this file.</summary>
    public string? Out { get; init; }

    /// <summary>The arguments as given (for the report's command line).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The usage text of <c>--help</c>.</summary>
    public static string Usage => """
        usage: dotnet run -c Release --project LoadTest -- service [options]

        Calls through the whole service path: official SignalR clients call SendChat and SendGift on one RoomGateway,
        which asks RoomService over NATS, which writes Redis and answers. Open loop: call k of a lane is due at
        start + k/rate and its latency runs from that due time to the answer (monotonic clock). Reports p50/p99 per
        call, the rate sustained and the CPU per call of RoomService, the gateway, nats-server and redis-server. Give
        --system-root twice to measure two checkouts back to back with the same harness. See docs/loadtest.md.

        options (defaults in brackets):
          --chat-rate <calls/s>    SendChat calls per second over all callers [200]
          --gift-rate <calls/s>    SendGift calls per second over all callers [50]
          --callers <n>            caller connections sharing the rates round-robin [8]
          --rooms <n>              rooms the callers are spread over [8]
          --message-size <chars>   chat line length, 32..500 [100]
          --duration <time>        measured time per run: 20s, 500ms, 2m [20s]
          --warmup <time>          unmeasured calling before the measurement [5s]
          --system-root <dir>      a checkout whose Release build (RoomService, RoomGateway) is started; repeat
                                   to compare checkouts, ratios against the first [this checkout]
          --rounds <n>             runs per system, alternating between systems [1]
          --drain-timeout <time>   longest wait after the window for calls in flight [30s]
          --out <file.md>          also write the report to this file
          -h, --help               this text

        The last line of the report is:
          service_cpu_per_call_ratio=<x> service_chat_p99_ratio=<y> service_gift_p99_ratio=<z>
        (the last system over the first; n/a with one system).
        """;

    /// <summary>Reads the options after <c>service</c>.</summary>
    /// <exception cref="OptionsException">An unknown option, a missing or malformed value, a value out of range, or a system root without a build.</exception>
    public static ServiceOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new ServiceOptions { Arguments = args.ToArray() };
        var roots = new List<string?>();
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
                if (i + 1 >= args.Count)
                {
                    throw new OptionsException($"{name} needs a value. Run with --help.");
                }

                value = args[++i];
            }

            if (name == "--system-root")
            {
                roots.Add(SystemRoot(value));
                continue;
            }

            o = name switch
            {
                "--chat-rate" => o with { ChatRate = FanoutOptions.Number(name, value, 0, 100_000) },
                "--gift-rate" => o with { GiftRate = FanoutOptions.Number(name, value, 0, 100_000) },
                "--callers" => o with { Callers = FanoutOptions.Int(name, value, 1, 1_000) },
                "--rooms" => o with { Rooms = FanoutOptions.Int(name, value, 1, 1_000) },
                "--message-size" => o with { MessageSize = FanoutOptions.Int(name, value, Measurement.Payload.MinMessageSize, Measurement.Payload.MaxMessageSize) },
                "--duration" => o with { Duration = FanoutOptions.Time(name, value, TimeSpan.FromMilliseconds(500)) },
                "--warmup" => o with { Warmup = FanoutOptions.Time(name, value, TimeSpan.Zero) },
                "--rounds" => o with { Rounds = FanoutOptions.Int(name, value, 1, 20) },
                "--drain-timeout" => o with { DrainTimeout = FanoutOptions.Time(name, value, TimeSpan.FromSeconds(1)) },
                "--out" => o with { Out = string.IsNullOrWhiteSpace(value) ? throw new OptionsException("--out needs a file name.") : value },
                _ => throw new OptionsException($"unknown option '{name}'. Run with --help for the list."),
            };
        }

        if (o.ChatRate == 0 && o.GiftRate == 0)
        {
            throw new OptionsException("--chat-rate and --gift-rate are both 0: nothing to measure.");
        }

        if (o.Rooms > o.Callers)
        {
            throw new OptionsException($"--rooms {o.Rooms} is more than --callers {o.Callers}: every room needs a caller.");
        }

        return roots.Count == 0 ? o : o with { SystemRoots = roots };
    }

    // A checkout holding LiveIm.sln; its build is checked when the run starts (RepoLayout.ProjectDll names what is missing).
    private static string SystemRoot(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new OptionsException("--system-root needs a directory.");
        }

        var full = Path.GetFullPath(value);
        if (!File.Exists(Path.Combine(full, "LiveIm.sln")))
        {
            throw new OptionsException($"--system-root {value}: no LiveIm.sln in {full}; point it at a LiveIm checkout.");
        }

        return full;
    }
}
