using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Model;

namespace LiveIm.LoadTest.Scaling;

/// <summary>The report of <c>LoadTest scale</c> (markdown, last line machine-readable) and its model inputs.</summary>
internal static class ScaleReport
{
    /// <summary>Renders the results, smallest gateway count first in the ratios.</summary>
    public static string Render(IReadOnlyList<ScaleResult> results, ScaleOptions o, string commandLine, MachineFacts machine)
    {
        var text = new StringBuilder();
        text.Append("#### LoadTest scale: one room over 1..N gateways\n\n");
        text.Append(Inv($"Workload: {o.Receivers:N0} receivers in one room, spread evenly over the gateways; {o.ChatRate} chat lines/s + {o.GiftRate} gifts/s from one publisher on gateway 1 for {o.Seconds} s, after an idle window of {o.Seconds} s whose cost per second is subtracted.\n\n"));
        text.Append("| gateways | events published | bus copies received | copies per event | deliveries | delivered | RoomService CPU ms per event | Redis commands per event | Redis CPU µs per command | gateway CPU µs per delivery | wire bytes per delivery | NATS msgs in / out per event | sends failed |\n");
        text.Append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in results)
        {
            text.Append(Inv($"| {r.Gateways} | {r.EventsPublished:N0} | {r.BusReceived:N0} | {F(r.BusCopiesPerEvent, "0.000")}{(r.BusCopiesExact ? " (exact)" : " (NOT exact)")} | {r.GatewayDeliveries:N0} | {F(r.Delivered * 100, "0.0")} % | {F(r.RoomServiceCpuMsPerEvent, "0.000")} | {F(r.RedisCommandsPerEvent, "0.00")} | {F(r.RedisCpuMicrosPerCommand, "0.00")} | {F(r.GatewayCpuMicrosPerDelivery, "0.00")} | {F(r.WireBytesPerDelivery, "0")} | {F(r.NatsMessagesInPerEvent, "0.00")} / {F(r.NatsMessagesOutPerEvent, "0.00")} | {r.SendsFailed}{(r.LastSendError is { } e && r.SendsFailed > 0 ? " (" + e + ")" : string.Empty)} |\n"));
        }

        var first = results[0];
        var last = results[^1];
        text.Append("\nRatios, ").Append(Inv($"{last.Gateways} gateways over {first.Gateways}")).Append(" (1.00 = flat):\n\n");
        text.Append(Inv($"- RoomService CPU per event: {F(last.RoomServiceCpuMsPerEvent / first.RoomServiceCpuMsPerEvent, "0.00")}\n"));
        text.Append(Inv($"- Redis commands per event: {F(last.RedisCommandsPerEvent / first.RedisCommandsPerEvent, "0.00")}\n"));
        text.Append(Inv($"- gateway CPU per delivery: {F(last.GatewayCpuMicrosPerDelivery / first.GatewayCpuMicrosPerDelivery, "0.00")}\n\n"));
        text.Append("Command: `").Append(commandLine).Append("`\n\n");
        text.Append(Inv($"Machine: {machine.Cores} cores ({machine.CpuModel}), {machine.MemoryGiB:0.0} GiB, {machine.Os}; {machine.DotnetSdk} ({machine.Runtime}).\n\n"));
        text.Append("Every process runs on the same cores as the receivers: compare the rows with each other, not with other machines.\n\n");
        text.Append(LastLine(results)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// <c>bus_copies_exact=yes roomservice_cpu_per_event_ratio=x redis_commands_per_event_ratio=y
    /// gateway_cpu_per_delivery_ratio=z</c>: largest gateway count over the smallest.
    /// </summary>
    public static string LastLine(IReadOnlyList<ScaleResult> results)
    {
        var first = results[0];
        var last = results[^1];
        return Inv($"bus_copies_exact={(results.All(r => r.BusCopiesExact) ? "yes" : "no")} roomservice_cpu_per_event_ratio={F(last.RoomServiceCpuMsPerEvent / first.RoomServiceCpuMsPerEvent, "0.00")} redis_commands_per_event_ratio={F(last.RedisCommandsPerEvent / first.RedisCommandsPerEvent, "0.00")} gateway_cpu_per_delivery_ratio={F(last.GatewayCpuMicrosPerDelivery / first.GatewayCpuMicrosPerDelivery, "0.00")}");
    }

    /// <summary>The figures of the run with the most gateways, as inputs of <c>LoadTest model</c>.</summary>
    public static ModelInputs Inputs(IReadOnlyList<ScaleResult> results, string commandLine, DateTimeOffset when)
    {
        var r = results.MaxBy(x => x.Gateways)!;
        var source = Inv($"LoadTest scale, {r.Gateways} gateways, {r.Receivers:N0} receivers, {when:yyyy-MM-dd HH:mm} UTC: {commandLine}");
        var inputs = new ModelInputs();
        inputs.Set(ModelInputs.RoomServiceCpuMsPerEvent, r.RoomServiceCpuMsPerEvent, source);
        inputs.Set(ModelInputs.RedisCommandsPerEvent, r.RedisCommandsPerEvent, source);
        inputs.Set(ModelInputs.RedisCpuMicrosPerCommand, r.RedisCpuMicrosPerCommand, source);
        inputs.Set(ModelInputs.WireBytesPerDelivery, r.WireBytesPerDelivery, source);
        inputs.Set(ModelInputs.GatewayCpuMicrosPerDelivery, r.GatewayCpuMicrosPerDelivery, source);
        return inputs;
    }

    private static string F(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
