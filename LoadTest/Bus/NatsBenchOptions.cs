using System.Globalization;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Bus;

/// <summary>Options of <c>LoadTest nats</c>.</summary>
public sealed record NatsBenchOptions
{
    /// <summary>Most rooms a run may have (room ids carry six digits).</summary>
    public const int MaxRooms = 100_000;

    /// <summary>Most gateway connections.</summary>
    public const int MaxGateways = 256;

    /// <summary>Most subscriptions over all gateways (rooms × fan-out): each has a reader loop in this process.</summary>
    public const int MaxSubscriptions = 200_000;

    /// <summary>Usage text.</summary>
    public static string Usage => $"""
        usage: dotnet run -c Release --project LoadTest -- nats [options]
          Measures what one nats-server routes per core with LiveIm's traffic: starts nats-server on loopback, connects
          gateway and RoomService connections with LiveIm's client options, and for each step runs a warm-up and a
          measured window. In the window it reads nats-server's own CPU (/proc) and its message counts (/varz):
          messages per core-second = (in + out) / CPU seconds, a cost per message that holds even while the load
          clients share the cores. After each step it checks that the subscribers got exactly what the server says
          it delivered. --json writes the figure for the capacity model (nats.messagesPerSecondPerCore).
          --steps <list>        comma-separated <kind>:<g>, g = gateways holding each room (1..--gateways):
                                publish: room events on liveim.room.<roomId> only, each delivered g times;
                                chat: LiveIm's chat send, a request on liveim.svc.chat (queue group
                                liveim-roomservice), its reply and the room event (3 in, 2 + g out)
                                (default publish:1,publish:4,publish:16,chat:1,chat:4)
          --rates <list>        events/s (publish) or sends/s (chat) per step, comma-separated, each 1..10000000 or
                                max (as fast as the subscribers keep up); every step runs at every rate (default max)
          --rooms <n>           rooms, 1..{MaxRooms} and at least --gateways (default 1000)
          --gateways <n>        gateway connections, each subscribed to the rooms it holds, 1..{MaxGateways} (default 16)
          --roomservices <n>    RoomService connections: they publish the events, and answer chat requests in the
                                queue group, 1..64 (default 2)
          --in-flight <n>       chat requests outstanding at once, 1..10000 (default 256)
          --event-bytes <n>     size of a room event, a chat event as RoomService publishes it,
                                {NatsBenchPayloads.MinEventBytes}..{NatsBenchPayloads.MaxEventBytes} (default 300)
          --warmup <s>          seconds of load before each measured window, 0..60 (default 2)
          --seconds <s>         length of each measured window, 1..600 (default 8)
          --out <file>          also write the report (markdown) to this file
          --json <file>         also write the figure as a model input (LoadTest model --inputs)
        """;

    /// <summary>Steps in the order run: every entry of <c>--steps</c> at every rate of <c>--rates</c>.</summary>
    public IReadOnlyList<NatsBenchStep> Steps { get; init; } = Expand(DefaultSteps, [null]);

    /// <summary>Rooms.</summary>
    public int Rooms { get; init; } = 1000;

    /// <summary>Gateway connections.</summary>
    public int Gateways { get; init; } = 16;

    /// <summary>RoomService connections.</summary>
    public int RoomServices { get; init; } = 2;

    /// <summary>Chat requests outstanding at once.</summary>
    public int InFlight { get; init; } = 256;

    /// <summary>Bytes of a room event.</summary>
    public int EventBytes { get; init; } = 300;

    /// <summary>Warm-up seconds per step.</summary>
    public int WarmupSeconds { get; init; } = 2;

    /// <summary>Measured seconds per step.</summary>
    public int Seconds { get; init; } = 8;

    /// <summary>Markdown report file.</summary>
    public string? Out { get; init; }

    /// <summary>Model inputs file.</summary>
    public string? Json { get; init; }

    private static (NatsBenchStepKind Kind, int Fanout)[] DefaultSteps =>
        [(NatsBenchStepKind.Publish, 1), (NatsBenchStepKind.Publish, 4), (NatsBenchStepKind.Publish, 16), (NatsBenchStepKind.Chat, 1), (NatsBenchStepKind.Chat, 4)];

    /// <summary>Parses the arguments after <c>nats</c>; throws <see cref="OptionsException"/> with what to change.</summary>
    public static NatsBenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new NatsBenchOptions();
        var steps = DefaultSteps;
        IReadOnlyList<double?> rates = [null];
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new OptionsException(name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unknown option '{name}'");
            }

            var value = args[++i];
            switch (name)
            {
                case "--steps":
                    steps = StepList(value);
                    break;
                case "--rates":
                    rates = RateList(value);
                    break;
                default:
                    o = name switch
                    {
                        "--rooms" => o with { Rooms = Int(name, value, 1, MaxRooms) },
                        "--gateways" => o with { Gateways = Int(name, value, 1, MaxGateways) },
                        "--roomservices" => o with { RoomServices = Int(name, value, 1, 64) },
                        "--in-flight" => o with { InFlight = Int(name, value, 1, 10_000) },
                        "--event-bytes" => o with { EventBytes = Int(name, value, NatsBenchPayloads.MinEventBytes, NatsBenchPayloads.MaxEventBytes) },
                        "--warmup" => o with { WarmupSeconds = Int(name, value, 0, 60) },
                        "--seconds" => o with { Seconds = Int(name, value, 1, 600) },
                        "--out" => o with { Out = File(name, value) },
                        "--json" => o with { Json = File(name, value) },
                        _ => throw new OptionsException($"unknown option '{name}'"),
                    };
                    break;
            }
        }

        if (o.Rooms < o.Gateways)
        {
            throw new OptionsException($"--rooms ({o.Rooms}) must be at least --gateways ({o.Gateways}): every gateway holds rooms and sends for them");
        }

        foreach (var (kind, fanout) in steps)
        {
            if (fanout > o.Gateways)
            {
                throw new OptionsException($"--steps: fan-out {fanout} is more than the {o.Gateways} gateways (--gateways)");
            }

            if ((long)o.Rooms * fanout > MaxSubscriptions)
            {
                throw new OptionsException($"--steps: {o.Rooms} rooms × fan-out {fanout} is more than {MaxSubscriptions:N0} subscriptions; fewer rooms");
            }
        }

        return o with { Steps = Expand(steps, rates) };
    }

    private static NatsBenchStep[] Expand(IReadOnlyList<(NatsBenchStepKind Kind, int Fanout)> steps, IReadOnlyList<double?> rates) =>
        steps.SelectMany(s => rates.Select(r => new NatsBenchStep(s.Kind, s.Fanout, r))).ToArray();

    private static (NatsBenchStepKind, int)[] StepList(string value)
    {
        var list = value.Split(',', StringSplitOptions.TrimEntries).Select(part =>
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var kind = colon < 0 ? null : part[..colon] switch
            {
                "publish" => (NatsBenchStepKind?)NatsBenchStepKind.Publish,
                "chat" => NatsBenchStepKind.Chat,
                _ => null,
            };
            return kind is { } k && int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g is >= 1 and <= MaxGateways
                ? (k, g)
                : throw new OptionsException($"--steps: '{part}' is not <kind>:<g> with kind publish or chat and g 1..{MaxGateways} (e.g. publish:1,chat:4)");
        }).ToArray();
        if (list.Distinct().Count() != list.Length)
        {
            throw new OptionsException("--steps: a step appears twice");
        }

        return list;
    }

    private static double?[] RateList(string value)
    {
        var list = value.Split(',', StringSplitOptions.TrimEntries).Select(part =>
            part == "max" ? (double?)null
            : double.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var r) && r is >= 1 and <= 10_000_000 ? r
            : throw new OptionsException($"--rates: '{part}' is not a rate 1..10000000 or max (e.g. 2000,20000,max)")).ToArray();
        if (list.Distinct().Count() != list.Length)
        {
            throw new OptionsException("--rates: a rate appears twice");
        }

        return list;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new OptionsException($"{name} must be a whole number {min}..{max}, not '{value}'");

    private static string File(string name, string value) =>
        value.Length is > 0 and < 4096 && value.IndexOfAny(['\0', '\n', '\r']) < 0 && !value.StartsWith("--", StringComparison.Ordinal)
            ? value
            : throw new OptionsException($"{name} needs a file name");
}
