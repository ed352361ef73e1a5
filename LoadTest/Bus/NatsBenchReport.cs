using System.Globalization;
using System.Text;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Model;

namespace LiveIm.LoadTest.Bus;

/// <summary>The report of <c>LoadTest nats</c> (markdown, last line machine-readable) and its model input.</summary>
internal static class NatsBenchReport
{
    /// <summary>Renders the results in the order run.</summary>
    public static string Render(IReadOnlyList<NatsBenchResult> results, NatsBenchOptions o, string serverVersion, string commandLine, MachineFacts machine)
    {
        var sizes = new NatsBenchPayloads(1, o.EventBytes);
        var text = new StringBuilder();
        text.Append("#### LoadTest nats: what one nats-server routes per core\n\n");
        text.Append(Inv($"Workload: {o.Rooms:N0} rooms, {o.Gateways} gateway connections each subscribed to the rooms it holds (g per room), {o.RoomServices} RoomService connections; room events of {o.EventBytes} bytes (a chat event as RoomService publishes it), chat requests of {sizes.Requests[0].Length} bytes, replies of {sizes.Reply.Length}; chat steps with {o.InFlight} requests in flight; per step {o.WarmupSeconds} s of warm-up, then {o.Seconds} s measured. nats-server {serverVersion}, one node on loopback.\n\n"));
        text.Append("| step | rate asked | events/s | sends/s | NATS msgs in/s | out/s | out per in (expected) | payload MB/s in / out | nats-server cores | nats-server CPU µs per msg | **msgs per core-second** | load clients cores | machine busy | delivery |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var r in results)
        {
            text.Append(Inv($"| {r.Step.KindName} g={r.Step.Fanout} | {r.Step.RateName} | {F(r.EventsPerSecond, "N0")} | {F(r.SendsPerSecond, "N0")} | {F(r.InPerSecond, "N0")} | {F(r.OutPerSecond, "N0")} | {F(r.OutPerIn, "0.00")} ({F(r.Step.ExpectedOutPerIn, "0.00")}) | {F(r.InBytesPerSecond / 1e6, "0.0")} / {F(r.OutBytesPerSecond / 1e6, "0.0")} | {F(r.NatsCores, "0.00")} | {F(r.CpuMicrosPerMessage, "0.00")} | **{F(r.MessagesPerCoreSecond, "N0")}** | {F(r.ClientCores, "0.00")} | {F(r.MachineBusy * 100, "0")} % | {Delivery(r)} |\n"));
        }

        text.Append('\n');
        if (ModelFigure(results) is { } figure)
        {
            text.Append(Inv($"**Model figure (nats.messagesPerSecondPerCore): {F(figure.MessagesPerCoreSecond, "N0")}** messages (in + out) per second of nats-server CPU, from step {figure.Step.Name}. {Rule}\n\n"));
        }
        else
        {
            text.Append("**No model figure**: no step delivered exactly with a measurable nats-server CPU time.\n\n");
        }

        text.Append("msgs per core-second = (Δ in_msgs + Δ out_msgs) / Δ nats-server CPU seconds over the measured window (/varz and /proc): a cost per message, valid while the load clients share the cores. Delivery is checked over the whole step: the server's in_msgs and out_msgs against what the clients published and received.\n\n");
        text.Append("Command: `").Append(commandLine).Append("`\n\n");
        text.Append(Inv($"Machine: {machine.Cores} cores ({machine.CpuModel}), {machine.MemoryGiB:0.0} GiB, {machine.Os}; {machine.DotnetSdk} ({machine.Runtime}).\n\n"));
        text.Append(LastLine(results)).Append('\n');
        return text.ToString();
    }

    /// <summary>How the model figure is chosen, as the report says it.</summary>
    public const string Rule =
        "The rule: of the steps that delivered exactly, the chat steps (LiveIm's whole send, the traffic formula 8 of docs/capacity.md counts) when there are any; of those, the ones at the run's highest rate (where the server works hardest, as it does when capacity matters); of those, the lowest figure (the most CPU per message).";

    /// <summary>The step whose figure goes into the model (<see cref="Rule"/>), or null when none qualifies.</summary>
    public static NatsBenchResult? ModelFigure(IReadOnlyList<NatsBenchResult> results)
    {
        var exact = results.Where(r => r.DeliveryExact && double.IsFinite(r.MessagesPerCoreSecond) && r.MessagesPerCoreSecond > 0).ToList();
        var chat = exact.Where(r => r.Step.Kind == NatsBenchStepKind.Chat).ToList();
        var pool = chat.Count > 0 ? chat : exact;
        if (pool.Count == 0)
        {
            return null;
        }

        var top = pool.Max(r => r.Step.Rate ?? double.PositiveInfinity);
        return pool.Where(r => (r.Step.Rate ?? double.PositiveInfinity) == top).MinBy(r => r.MessagesPerCoreSecond);
    }

    /// <summary><c>nats_messages_per_core_second=N step=chat:1@max delivery_exact=yes</c>.</summary>
    public static string LastLine(IReadOnlyList<NatsBenchResult> results)
    {
        var figure = ModelFigure(results);
        return Inv($"nats_messages_per_core_second={(figure is null ? "n/a" : F(figure.MessagesPerCoreSecond, "0"))} step={figure?.Step.Name ?? "none"} delivery_exact={(results.All(r => r.DeliveryExact) ? "yes" : "no")}");
    }

    /// <summary>The model figure as an input of <c>LoadTest model</c>.</summary>
    public static ModelInputs Inputs(IReadOnlyList<NatsBenchResult> results, NatsBenchOptions o, string commandLine, DateTimeOffset when)
    {
        var figure = ModelFigure(results);
        var inputs = new ModelInputs();
        var source = figure is null
            ? Inv($"not measured: LoadTest nats of {when:yyyy-MM-dd HH:mm} UTC had no step that delivered exactly ({commandLine})")
            : Inv($"LoadTest nats of {when:yyyy-MM-dd HH:mm} UTC, step {figure.Step.Name} ({o.Rooms:N0} rooms, {o.Gateways} gateway and {o.RoomServices} RoomService connections, {o.EventBytes}-byte events; nats-server at {figure.NatsCores:0.00} cores): {commandLine}");
        inputs.Set(ModelInputs.NatsMessagesPerSecondPerCore, figure?.MessagesPerCoreSecond, source);
        return inputs;
    }

    private static string Delivery(NatsBenchResult r)
    {
        if (r.DeliveryExact)
        {
            return Inv($"exact ({r.StepIn:N0} in, {r.StepOut:N0} out)");
        }

        var parts = new List<string>();
        if (r.StepIn != r.ClientsIn)
        {
            parts.Add(Inv($"in {r.StepIn:N0} by the server, {r.ClientsIn:N0} by the clients"));
        }

        if (r.StepOut != r.ClientsOut)
        {
            parts.Add(Inv($"out {r.StepOut:N0} by the server, {r.ClientsOut:N0} received"));
        }

        if (r.SlowConsumers > 0)
        {
            parts.Add(Inv($"{r.SlowConsumers} slow consumers"));
        }

        if (r.Dropped > 0)
        {
            parts.Add(Inv($"{r.Dropped:N0} dropped by the client"));
        }

        if (r.RequestsFailed > 0)
        {
            parts.Add(Inv($"{r.RequestsFailed:N0} requests without a reply ({r.LastError})"));
        }

        return "NOT exact: " + string.Join("; ", parts);
    }

    private static string F(double value, string format) =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
