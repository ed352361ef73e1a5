using System.Globalization;
using System.Text;

namespace LiveIm.LoadTest.Model;

/// <summary>Renders capacity estimates side by side, each row with its formula, and the figures they stand on.</summary>
public static class ModelReport
{
    /// <summary>The standard scenarios of docs/capacity.md at a workload's activity and settings.</summary>
    public static IReadOnlyList<ModelWorkload> Scenarios(ModelWorkload activity) =>
    [
        activity with { Viewers = 100_000, Rooms = 1 },
        activity with { Viewers = 1_000_000, Rooms = 1 },
        activity with { Viewers = 10_000_000, Rooms = 1 },
        activity with { Viewers = 1_000_000, Rooms = 10_000 },
    ];

    /// <summary>The report (markdown).</summary>
    public static string Render(IReadOnlyList<CapacityEstimate> estimates, ModelInputs inputs)
    {
        var w0 = estimates[0].Workload;
        var text = new StringBuilder();
        text.Append("#### LoadTest model: capacity\n\n");
        text.Append(Inv($"Activity per room: {w0.ChatPerSecond} chat lines/s delivered ({w0.ChatSendsPerSecond} sent), {w0.GiftsPerSecond} gifts/s. Gateways of {w0.GatewayCores} cores and {w0.GatewayMaxConnections:N0} connections; RoomService {w0.RoomServiceCores} cores; NATS nodes {w0.NatsCores} cores; planned at {w0.Utilization:P0} of each. \"needs measurement\": see the inputs below.\n\n"));
        text.Append("| | ").Append(string.Join(" | ", estimates.Select(e => Inv($"{e.Workload.Rooms:N0} room(s) × {e.Workload.Viewers / (double)e.Workload.Rooms:N0}")))).Append(" | formula |\n");
        text.Append("|---|").Append(string.Concat(estimates.Select(_ => "---:|"))).Append("---|\n");
        Row(text, estimates, "gateways by connections", e => N(e.GatewaysByConnections), "⌈V / (MaxConnections × u)⌉");
        Row(text, estimates, "gateways by CPU", e => N(e.GatewaysByCpu), "least G with (V/G) × f × cpuPerFrame ≤ cores × u");
        Row(text, estimates, "**gateways**", e => "**" + N(e.Gateways) + "**", "max of the two");
        Row(text, estimates, "gateways per room (bus copies per event)", e => N(e.GatewaysPerRoom), "g = min(G, ⌈V/R / MaxRoomMembersPerGateway⌉)");
        Row(text, estimates, "room members per gateway", e => N(e.MembersPerRoomGateway), "m = V/R / g");
        Row(text, estimates, "tick (ms)", e => F(e.TickMs, "0"), "clamp(m × cpuPerFrame / (RoomCoreShare × 1000), TickMs, MaxTickMs)");
        Row(text, estimates, "frames per member per second", e => F(e.FramesPerMemberPerSecond, "0.0"), "f = min(E, 1000 / tick + min(gifts, 1000 / ReliableTickMs))");
        Row(text, estimates, "cores busy per gateway", e => F(e.CoresPerGateway, "0.00"), "(V/G) × f × cpuPerFrame");
        Row(text, estimates, "memory per gateway (MB)", e => F(e.MemoryPerGatewayMB, "N0"), "base + (V/G) × KB per connection");
        Row(text, estimates, "deliveries/s", e => N(e.DeliveriesPerSecond), "V × E");
        Row(text, estimates, "**egress (Gbit/s)**", e => "**" + F(e.EgressGbps, "0.00") + "**", "V × E × bytes per delivery × 8");
        Row(text, estimates, "NATS messages in / out per second", e => N(e.NatsMessagesInPerSecond) + " / " + N(e.NatsMessagesOutPerSecond), "in R × (2S + E), out R × (2S + g × E)");
        Row(text, estimates, "**NATS nodes**", e => "**" + N(e.NatsNodes) + "**", "max(3, ⌈(in + out) / (msgs per core × cores × u)⌉)");
        Row(text, estimates, "Redis commands/s (presence part)", e => N(e.RedisCommandsPerSecond) + " (" + N(e.PresenceCommandsPerSecond) + ")", "R × S × commandsPerEvent + (R × g + R) / interval × commandsPerCall + G / interval + G × 5 / 2");
        Row(text, estimates, "**Redis shards**", e => "**" + N(e.RedisShards) + "**", "⌈commands/s × µs per command / 10⁶ / u⌉");
        Row(text, estimates, "hottest room on its shard (cores)", e => F(e.HottestRoomShardCores, "0.000"), "one room's keys share a hash slot: (S × commandsPerEvent + (g + 1) / interval × commandsPerCall) × µs per command; must stay < 1");
        Row(text, estimates, "**RoomService instances**", e => "**" + N(e.RoomServices) + "**", "max(2, ⌈R × S × ms per event / 1000 / (cores × u)⌉)");
        text.Append("\nV viewers, R rooms, E = chat + gifts delivered per room per second, S = chat sends + gifts per room per second, G gateways, u utilization.\n\n");
        text.Append("Inputs:\n\n| figure | value | source |\n|---|---:|---|\n");
        foreach (var key in ModelInputs.Keys.Keys)
        {
            var figure = inputs.Get(key);
            text.Append("| `").Append(key).Append("` | ").Append(inputs.Describe(key, "0.###")).Append(" | ")
                .Append(figure is { Value: not null } ? figure.Source : "**needs measurement**: " + ModelInputs.Keys[key]).Append(" |\n");
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, IReadOnlyList<CapacityEstimate> estimates, string name, Func<CapacityEstimate, string> value, string formula) =>
        text.Append("| ").Append(name).Append(" | ").Append(string.Join(" | ", estimates.Select(value))).Append(" | ").Append(formula).Append(" |\n");

    private static string N(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "needs measurement";

    private static string F(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "needs measurement";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
