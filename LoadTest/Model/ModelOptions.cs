using System.Globalization;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Model;

/// <summary>Options of <c>LoadTest model</c>.</summary>
public sealed record ModelOptions
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: dotnet run -c Release --project LoadTest -- model [options]
          Prints the capacity model (docs/capacity.md) for a workload, from measured figures: gateways, RoomService
          instances, Redis shards, NATS nodes, egress. A result whose figure was never measured says so.
          --viewers <n>                viewers over all rooms (default 1000000)
          --rooms <n>                  rooms of equal size (default 1)
          --scenarios                  the standard table instead: one room of 100,000, 1,000,000 and 10,000,000
                                       viewers, and 10,000 rooms of 100 (ignores --viewers and --rooms)
          --chat-per-second <n>        chat lines each room delivers per second (default 20, Chat:BudgetPerSecond)
          --chat-sends-per-second <n>  chat lines each room's viewers send per second (default: --chat-per-second)
          --gifts-per-second <n>       gifts per room per second (default 5)
          --gateway-cores <n>          cores per gateway (default 2)    --max-connections <n> (default 20000)
          --roomservice-cores <n>      (default 2)                      --nats-cores <n> (default 2)
          --utilization <0..1>         share of each resource to plan for (default 0.7)
          --inputs <file>              measured figures (JSON; repeatable, later files win; default
                                       LoadTest/Model/measured-inputs.json, then any given)
          --set <key>=<value>          one figure by hand, e.g. --set wire.bytesPerDelivery=300
        """;

    /// <summary>The workload.</summary>
    public ModelWorkload Workload { get; init; } = new();

    /// <summary>The standard scenarios instead of one workload.</summary>
    public bool Scenarios { get; init; }

    /// <summary>Input files, in order.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Figures set on the command line.</summary>
    public IReadOnlyList<(string Key, double Value)> Sets { get; init; } = [];

    /// <summary>Parses the arguments after <c>model</c>.</summary>
    public static ModelOptions Parse(IReadOnlyList<string> args)
    {
        var o = new ModelOptions();
        double? sends = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--scenarios")
            {
                o = o with { Scenarios = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new OptionsException(name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value" : $"unknown option '{name}'");
            }

            var value = args[++i];
            var w = o.Workload;
            o = name switch
            {
                "--viewers" => o with { Workload = w with { Viewers = (long)Number(name, value, 1, 1e10) } },
                "--rooms" => o with { Workload = w with { Rooms = (int)Number(name, value, 1, 1e7) } },
                "--chat-per-second" => o with { Workload = w with { ChatPerSecond = Number(name, value, 0, 1e5) } },
                "--chat-sends-per-second" => o with { Workload = w with { ChatSendsPerSecond = (sends = Number(name, value, 0, 1e7)).Value } },
                "--gifts-per-second" => o with { Workload = w with { GiftsPerSecond = Number(name, value, 0, 1e5) } },
                "--gateway-cores" => o with { Workload = w with { GatewayCores = Number(name, value, 0.1, 1024) } },
                "--max-connections" => o with { Workload = w with { GatewayMaxConnections = Number(name, value, 1, 1e7) } },
                "--roomservice-cores" => o with { Workload = w with { RoomServiceCores = Number(name, value, 0.1, 1024) } },
                "--nats-cores" => o with { Workload = w with { NatsCores = Number(name, value, 0.1, 1024) } },
                "--utilization" => o with { Workload = w with { Utilization = Number(name, value, 0.01, 1) } },
                "--inputs" => o with { Inputs = [.. o.Inputs, value] },
                "--set" => o with { Sets = [.. o.Sets, SetArg(value)] },
                _ => throw new OptionsException($"unknown option '{name}'"),
            };
        }

        if (sends is null)
        {
            o = o with { Workload = o.Workload with { ChatSendsPerSecond = o.Workload.ChatPerSecond } };
        }

        if (o.Workload.ChatSendsPerSecond < o.Workload.ChatPerSecond)
        {
            throw new OptionsException("--chat-sends-per-second must be at least --chat-per-second (a room cannot deliver more lines than its viewers send)");
        }

        if (o.Workload.Rooms > o.Workload.Viewers)
        {
            throw new OptionsException("--rooms must not exceed --viewers");
        }

        return o;
    }

    private static (string, double) SetArg(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !ModelInputs.Keys.ContainsKey(value[..eq]))
        {
            throw new OptionsException($"--set needs <key>=<value> with a key among: {string.Join(", ", ModelInputs.Keys.Keys)}");
        }

        return (value[..eq], Number("--set " + value[..eq], value[(eq + 1)..], 1e-9, 1e12));
    }

    private static double Number(string name, string value, double min, double max) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new OptionsException($"{name} must be a number {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}, not '{value}'");
}
