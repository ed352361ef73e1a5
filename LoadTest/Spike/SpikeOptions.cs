using System.Globalization;
using System.Text.RegularExpressions;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// <c>spike --scenario NAME [options]</c>. Every error is an <see cref="OptionsException"/> whose message starts with a
/// stable code (<c>unknown_option</c>, <c>missing_value</c>, <c>invalid_value</c>, <c>invalid_threshold</c>,
/// <c>not_loopback</c>, <c>needs_start</c>, <c>unknown_scenario</c>) and says what to change.
/// </summary>
public sealed partial record SpikeOptions
{
    /// <summary>Most values one option may be given (thresholds, settings): a bounded command line.</summary>
    public const int MaxRepeats = 64;

    /// <summary>The scenario.</summary>
    public string Scenario { get; init; } = string.Empty;

    /// <summary>Gateways to start (0: run against a running LiveIm).</summary>
    public int Start { get; init; }

    /// <summary>RoomService of a running LiveIm (./run.sh's by default).</summary>
    public Uri RoomService { get; init; } = new("http://127.0.0.1:5100/");

    /// <summary>Gateways of a running LiveIm (for their processes and /metrics).</summary>
    public IReadOnlyList<Uri> Gateways { get; init; } = [new("http://127.0.0.1:5101/"), new("http://127.0.0.1:5102/")];

    /// <summary>NATS monitoring of a running LiveIm.</summary>
    public Uri NatsMonitor { get; init; } = new("http://127.0.0.1:8222/");

    /// <summary>Viewers (the closed model's copies); many-rooms: over all rooms.</summary>
    public int Viewers { get; init; } = 2000;

    /// <summary>How long the join ramp 0 → viewers takes.</summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the room stays full after the ramp (the storms happen in it).</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the leave storm takes (go-live).</summary>
    public TimeSpan Leave { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The room's chat budget (lines/s; RoomService's Chat:BudgetPerSecond, set so with --start).</summary>
    public int ChatBudget { get; init; } = 20;

    /// <summary>Chat ramps to this multiple of the budget.</summary>
    public double ChatTimes { get; init; } = 10;

    /// <summary>Gifts per second in a burst.</summary>
    public double GiftRate { get; init; } = 200;

    /// <summary>Users sending the gifts.</summary>
    public int Gifters { get; init; } = 200;

    /// <summary>How long one gift burst lasts.</summary>
    public TimeSpan GiftBurst { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>gift-burst: how many bursts.</summary>
    public int Bursts { get; init; } = 3;

    /// <summary>When the kill (or SIGTERM) happens, from the start of the load.</summary>
    public TimeSpan? KillAt { get; init; }

    /// <summary>Drain:SpreadSeconds of the started gateways.</summary>
    public TimeSpan DrainSpread { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Drain:DeadlineSeconds of the started gateways.</summary>
    public TimeSpan DrainDeadline { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>many-rooms: rooms with Zipf-distributed audiences.</summary>
    public int Rooms { get; init; } = 1000;

    /// <summary>many-rooms: the hot room's viewers (taken from <see cref="Viewers"/>).</summary>
    public int HotViewers { get; init; } = 500;

    /// <summary>many-rooms: the Zipf exponent of room sizes.</summary>
    public double Zipf { get; init; } = 1.0;

    /// <summary>many-rooms: rooms (the largest) that get a gift sender.</summary>
    public int SendingRooms { get; init; } = 50;

    /// <summary>many-rooms: gifts/s into each sending room (the hot room gets <see cref="GiftRate"/>).</summary>
    public double RoomGiftRate { get; init; } = 1;

    /// <summary>One viewer in this many records latency.</summary>
    public int TracerRatio { get; init; } = 20;

    /// <summary>Thresholds given on the command line.</summary>
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Where report folders go.</summary>
    public string ReportsDirectory { get; init; } = "reports";

    /// <summary>auto (live table on a terminal, plain lines otherwise), live or plain.</summary>
    public string Progress { get; init; } = "auto";

    /// <summary>Extra configuration for started gateways (Section:Key=value).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> GatewaySettings { get; init; } = [];

    /// <summary>Extra configuration for the started RoomService.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RoomServiceSettings { get; init; } = [];

    /// <summary>Random seed (room sizes, jitter).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The arguments as given.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>NATS nodes to start: 3 with routes for nats-node-kill, else 1.</summary>
    public int NatsNodes => Scenario == SpikeScenarioName.NatsNodeKill ? 3 : 1;

    /// <summary>The usage text.</summary>
    public static string Usage => """
        usage: dotnet run -c Release --project LoadTest -- spike --scenario NAME [options]
        scenarios: go-live, gift-burst, gateway-kill, drain, many-rooms, nats-node-kill (docs/loadtest.md)
        target:
          --start N                start N gateways, RoomService, NATS and Redis on loopback (needed by the kill scenarios)
          --roomservice URL        a running RoomService (default http://127.0.0.1:5100, ./run.sh's)
          --gateways URL,URL       its gateways, for CPU/RSS and /metrics (default http://127.0.0.1:5101,http://127.0.0.1:5102)
          --nats-monitor URL       its NATS monitoring (default http://127.0.0.1:8222)
        load:
          --viewers V (2000)  --ramp 10s  --hold 20s  --leave 3s  --tracer-ratio 20
          --chat-budget 20  --chat-times 10  --gift-rate 200  --gifters 200  --gift-burst 10s  --bursts 3
          --kill-at T (default: a third into the hold)  --drain-spread 30s  --drain-deadline 45s
          --rooms 1000  --hot-viewers 500  --zipf 1.0  --sending-rooms 50  --room-gift-rate 1
        checks and output:
          --threshold "gift.lost == 0"   (repeatable; op: == != < <= > >=; added to the scenario's own)
          --reports DIR (reports)  --progress auto|live|plain  --seed N
          --gateway-setting Section:Key=value  --roomservice-setting Section:Key=value   (repeatable, with --start)
        exit code: 0 every threshold held, 1 a threshold failed (named in the output), 2 bad options, 3 the run could not start
        """;

    /// <summary>Parses the arguments after <c>spike</c>.</summary>
    /// <exception cref="OptionsException">Anything that cannot run; the message starts with its code.</exception>
    public static SpikeOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new SpikeOptions { Arguments = args.ToArray() };
        var thresholds = new List<Threshold>();
        var gatewaySettings = new List<KeyValuePair<string, string>>();
        var roomServiceSettings = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i] ?? string.Empty;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new OptionsException($"unknown_option: unexpected argument '{Printable(arg)}'; options start with --. Run with --help.");
            }

            string name, value;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                (name, value) = (arg[..eq], arg[(eq + 1)..]);
            }
            else
            {
                name = arg;
                if (i + 1 >= args.Count)
                {
                    throw new OptionsException($"missing_value: {Printable(name)} needs a value. Run with --help.");
                }

                value = args[++i] ?? string.Empty;
            }

            o = name switch
            {
                "--scenario" => o with { Scenario = SpikeScenarioName.All.Contains(value) ? value : throw new OptionsException($"unknown_scenario: '{Printable(value)}'; use one of {string.Join(", ", SpikeScenarioName.All)}.") },
                "--start" => o with { Start = Int(name, value, 0, 16) },
                "--roomservice" => o with { RoomService = Url(name, value) },
                "--gateways" => o with { Gateways = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(MaxRepeats + 1).Select(v => Url(name, v)).ToArray() },
                "--nats-monitor" => o with { NatsMonitor = Url(name, value) },
                "--viewers" => o with { Viewers = Int(name, value, 1, 19_000) },
                "--ramp" => o with { Ramp = Time(name, value, 0.1) },
                "--hold" => o with { Hold = Time(name, value, 1) },
                "--leave" => o with { Leave = Time(name, value, 0.1) },
                "--chat-budget" => o with { ChatBudget = Int(name, value, 1, 100_000) },
                "--chat-times" => o with { ChatTimes = Number(name, value, 0, 1000) },
                "--gift-rate" => o with { GiftRate = Number(name, value, 0, 100_000) },
                "--gifters" => o with { Gifters = Int(name, value, 1, 2000) },
                "--gift-burst" => o with { GiftBurst = Time(name, value, 0.1) },
                "--bursts" => o with { Bursts = Int(name, value, 1, 100) },
                "--kill-at" => o with { KillAt = Time(name, value, 0.1) },
                "--drain-spread" => o with { DrainSpread = Time(name, value, 1) },
                "--drain-deadline" => o with { DrainDeadline = Time(name, value, 1) },
                "--rooms" => o with { Rooms = Int(name, value, 1, 100_000) },
                "--hot-viewers" => o with { HotViewers = Int(name, value, 0, 19_000) },
                "--zipf" => o with { Zipf = Number(name, value, 0, 5) },
                "--sending-rooms" => o with { SendingRooms = Int(name, value, 0, 2000) },
                "--room-gift-rate" => o with { RoomGiftRate = Number(name, value, 0, 200) },
                "--tracer-ratio" => o with { TracerRatio = Int(name, value, 1, 1_000_000) },
                "--threshold" => Add(o, thresholds, ParseThreshold(value)),
                "--reports" => o with { ReportsDirectory = string.IsNullOrWhiteSpace(value) || value.Any(char.IsControl) ? throw new OptionsException("invalid_value: --reports needs a folder name.") : value },
                "--progress" => o with { Progress = value is "auto" or "live" or "plain" ? value : throw new OptionsException($"invalid_value: --progress '{Printable(value)}': use auto, live or plain.") },
                "--seed" => o with { Seed = Int(name, value, 0, int.MaxValue) },
                "--gateway-setting" => Add(o, gatewaySettings, Setting(name, value)),
                "--roomservice-setting" => Add(o, roomServiceSettings, Setting(name, value)),
                _ => throw new OptionsException($"unknown_option: '{Printable(name)}'. Run with --help for the list."),
            };
        }

        o = o with { Thresholds = thresholds, GatewaySettings = gatewaySettings, RoomServiceSettings = roomServiceSettings };
        if (o.Scenario.Length == 0)
        {
            throw new OptionsException($"missing_value: --scenario is required: one of {string.Join(", ", SpikeScenarioName.All)}.");
        }

        if (o.Gateways.Count is 0 or > MaxRepeats)
        {
            throw new OptionsException($"invalid_value: --gateways needs 1..{MaxRepeats} URLs.");
        }

        if (SpikeScenarioName.NeedsStart(o.Scenario) && o.Start == 0)
        {
            throw new OptionsException($"needs_start: {o.Scenario} kills or stops a process, so the runner must own them: add --start N (N ≥ 2 for gateways to move to).");
        }

        if (o.Scenario is SpikeScenarioName.GatewayKill or SpikeScenarioName.Drain && o.Start < 2)
        {
            throw new OptionsException($"invalid_value: {o.Scenario} needs --start 2 or more: the viewers of the stopped gateway need another one.");
        }

        if ((o.GatewaySettings.Count > 0 || o.RoomServiceSettings.Count > 0) && o.Start == 0)
        {
            throw new OptionsException("needs_start: --gateway-setting and --roomservice-setting configure processes the runner starts: add --start N.");
        }

        if (o.DrainDeadline < o.DrainSpread)
        {
            throw new OptionsException("invalid_value: --drain-deadline must be at least --drain-spread.");
        }

        if (o.Scenario == SpikeScenarioName.ManyRooms && o.HotViewers >= o.Viewers)
        {
            throw new OptionsException($"invalid_value: --hot-viewers {o.HotViewers} must be below --viewers {o.Viewers} (the rest fill the other rooms).");
        }

        return o;
    }

    private static SpikeOptions Add<T>(SpikeOptions o, List<T> list, T item)
    {
        if (list.Count >= MaxRepeats)
        {
            throw new OptionsException($"invalid_value: at most {MaxRepeats} values of one repeated option.");
        }

        list.Add(item);
        return o;
    }

    private static Threshold ParseThreshold(string value)
    {
        try
        {
            return Threshold.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new OptionsException("invalid_threshold: " + ex.Message, ex);
        }
    }

    private static KeyValuePair<string, string> Setting(string name, string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        var key = eq > 0 ? value[..eq] : string.Empty;
        var setting = eq > 0 ? value[(eq + 1)..] : string.Empty;
        if (!SettingKey().IsMatch(key) || setting.Length > 500 || setting.Any(char.IsControl))
        {
            throw new OptionsException($"invalid_value: {name} '{Printable(value)}' is not Section:Key=value (letters, digits, '_' and ':' in the key).");
        }

        return new(key, setting);
    }

    private static Uri Url(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttp)
        {
            throw new OptionsException($"invalid_value: {name} '{Printable(value)}' is not an http URL.");
        }

        if (!Loopback.IsLoopback(url))
        {
            throw new OptionsException($"not_loopback: {name} {url}: the spike runner loads loopback only (127.0.0.0/8, ::1).");
        }

        return new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
    }

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            throw new OptionsException($"invalid_value: {name} '{Printable(value)}' is not a whole number.");
        }

        return n < min || n > max ? throw new OptionsException($"invalid_value: {name} {n} is out of range: use {min}..{max}.") : n;
    }

    private static double Number(string name, string value, double min, double max)
    {
        if (!double.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || !double.IsFinite(n))
        {
            throw new OptionsException($"invalid_value: {name} '{Printable(value)}' is not a number.");
        }

        return n < min || n > max ? throw new OptionsException($"invalid_value: {name} {n} is out of range: use {min}..{max}.") : n;
    }

    /// <summary>"10s", "500ms", "2m" or plain seconds, from <paramref name="minSeconds"/> to one hour.</summary>
    private static TimeSpan Time(string name, string value, double minSeconds)
    {
        var match = Duration().Match(value);
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            throw new OptionsException($"invalid_value: {name} '{Printable(value)}' is not a time: use e.g. 10s, 500ms or 2m.");
        }

        var seconds = n * match.Groups[2].Value switch { "ms" => 0.001, "m" => 60, _ => 1 };
        return seconds < minSeconds || seconds > 3600
            ? throw new OptionsException($"invalid_value: {name} {Printable(value)} is out of range: use {minSeconds:0.###}s..1h.")
            : TimeSpan.FromSeconds(seconds);
    }

    private static string Printable(string text)
    {
        var cut = text.Length > 80 ? text[..80] + "…" : text;
        return new string(cut.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }

    [GeneratedRegex(@"^([0-9]{1,7}(?:\.[0-9]{1,6})?)(ms|s|m)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,63}(:[A-Za-z0-9_]{1,64}){1,4}$", RegexOptions.CultureInvariant)]
    private static partial Regex SettingKey();
}
