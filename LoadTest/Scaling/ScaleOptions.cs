using System.Globalization;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Scaling;

/// <summary>Options of <c>LoadTest scale</c>.</summary>
public sealed record ScaleOptions
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project LoadTest -- scale [options]
          Proves that a room's costs scale as docs/capacity.md says: for each gateway count, starts nats-server,
          redis-server, RoomService and that many gateways on loopback, spreads one room's receivers over all of
          them, and measures an idle window and a loaded window of the same length. Reports bus copies per room
          event (must equal the gateway count), RoomService CPU and Redis commands per event, and gateway CPU and
          wire bytes per delivery (idle cost subtracted).
          --gateways <list>        gateway counts to run, comma-separated, each 1..32 (default 1,8)
          --receivers <n>          receivers in the room over all gateways, at least the largest gateway count,
                                   at most 19000 (default 2000)
          --chat-rate <n>          chat lines/s sent into the room (default 20: the room chat budget)
          --gift-rate <n>          gifts/s sent into the room (default 5)
          --seconds <n>            length of each window, 1..600 (default 10)
          --out <file>             also write the report (markdown) to this file
          --json <file>            also write the measured figures as model inputs (LoadTest model --inputs)
        """;

    /// <summary>Gateway counts, in the order run.</summary>
    public IReadOnlyList<int> Gateways { get; init; } = [1, 8];

    /// <summary>Receivers over all gateways.</summary>
    public int Receivers { get; init; } = 2000;

    /// <summary>Chat lines per second.</summary>
    public double ChatRate { get; init; } = 20;

    /// <summary>Gifts per second.</summary>
    public double GiftRate { get; init; } = 5;

    /// <summary>Seconds per window.</summary>
    public int Seconds { get; init; } = 10;

    /// <summary>Markdown report file.</summary>
    public string? Out { get; init; }

    /// <summary>Model inputs file.</summary>
    public string? Json { get; init; }

    /// <summary>Parses the arguments after <c>scale</c>; throws <see cref="OptionsException"/> with what to change.</summary>
    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ScaleOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new OptionsException(name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unknown option '{name}'");
            }

            var value = args[++i];
            o = name switch
            {
                "--gateways" => o with { Gateways = GatewayList(value) },
                "--receivers" => o with { Receivers = Int(name, value, 1, 19_000) },
                "--chat-rate" => o with { ChatRate = Number(name, value, 0, 10_000) },
                "--gift-rate" => o with { GiftRate = Number(name, value, 0, 1_000) },
                "--seconds" => o with { Seconds = Int(name, value, 1, 600) },
                "--out" => o with { Out = File(name, value) },
                "--json" => o with { Json = File(name, value) },
                _ => throw new OptionsException($"unknown option '{name}'"),
            };
        }

        if (o.Receivers < o.Gateways.Max())
        {
            throw new OptionsException($"--receivers ({o.Receivers}) must be at least the largest gateway count ({o.Gateways.Max()}): every gateway needs members of the room");
        }

        if (o.ChatRate + o.GiftRate <= 0)
        {
            throw new OptionsException("--chat-rate and --gift-rate are both 0: nothing would be measured");
        }

        return o;
    }

    private static int[] GatewayList(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var list = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 32
            ? n
            : throw new OptionsException($"--gateways: '{p}' is not a gateway count 1..32 (a list such as 1,2,4,8)")).ToArray();
        if (list.Distinct().Count() != list.Length)
        {
            throw new OptionsException("--gateways: a count appears twice");
        }

        return list;
    }

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new OptionsException($"{name} must be a whole number {min}..{max}, not '{value}'");

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new OptionsException($"{name} must be a number {min}..{max}, not '{value}'");

    private static string File(string name, string value) =>
        value.Length is > 0 and < 4096 && value.IndexOfAny(['\0', '\n', '\r']) < 0 && !value.StartsWith("--", StringComparison.Ordinal)
            ? value
            : throw new OptionsException($"{name} needs a file name");
}
