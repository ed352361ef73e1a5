using System.Diagnostics;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// The figures of one step: rates and costs over its measured window, and the delivery check over the whole step
/// (from before the first message to after the last was delivered).
/// </summary>
internal sealed record NatsBenchResult
{
    /// <summary>The step.</summary>
    public required NatsBenchStep Step { get; init; }

    /// <summary>Length of the measured window, s.</summary>
    public required double WindowSeconds { get; init; }

    /// <summary>Room events published per second.</summary>
    public required double EventsPerSecond { get; init; }

    /// <summary>Chat requests sent per second (0 for publish steps).</summary>
    public required double SendsPerSecond { get; init; }

    /// <summary>Messages into nats-server per second (varz in_msgs).</summary>
    public required double InPerSecond { get; init; }

    /// <summary>Messages out of nats-server per second (varz out_msgs).</summary>
    public required double OutPerSecond { get; init; }

    /// <summary>Bytes into nats-server per second (payloads, varz in_bytes).</summary>
    public required double InBytesPerSecond { get; init; }

    /// <summary>Bytes out per second (varz out_bytes).</summary>
    public required double OutBytesPerSecond { get; init; }

    /// <summary>nats-server's CPU over the window, cores (1.0 = one core all the time).</summary>
    public required double NatsCores { get; init; }

    /// <summary>This process's CPU (every load client), cores.</summary>
    public required double ClientCores { get; init; }

    /// <summary>Share of the machine's CPU time that was busy, 0..1.</summary>
    public required double MachineBusy { get; init; }

    /// <summary>(in + out) messages per second of nats-server CPU: the figure.</summary>
    public required double MessagesPerCoreSecond { get; init; }

    /// <summary>NATS messages in over the whole step, by the server.</summary>
    public required long StepIn { get; init; }

    /// <summary>NATS messages out over the whole step, by the server.</summary>
    public required long StepOut { get; init; }

    /// <summary>Messages the clients published over the step.</summary>
    public required long ClientsIn { get; init; }

    /// <summary>Messages the clients received over the step.</summary>
    public required long ClientsOut { get; init; }

    /// <summary>Slow consumers the server counted during the step.</summary>
    public required long SlowConsumers { get; init; }

    /// <summary>Messages the client library dropped.</summary>
    public required long Dropped { get; init; }

    /// <summary>Chat requests without a reply.</summary>
    public required long RequestsFailed { get; init; }

    /// <summary>Why the last failed request failed, if one did.</summary>
    public string? LastError { get; init; }

    /// <summary>nats-server CPU per message, µs.</summary>
    public double CpuMicrosPerMessage => 1e6 / MessagesPerCoreSecond;

    /// <summary>Messages out per message in, over the window.</summary>
    public double OutPerIn => OutPerSecond / InPerSecond;

    /// <summary>
    /// Every message in was published by a client, every message out reached one, and nothing was lost on the way: the
    /// step's figures count exactly LiveIm's traffic.
    /// </summary>
    public bool DeliveryExact => StepIn == ClientsIn && StepOut == ClientsOut && SlowConsumers == 0 && Dropped == 0 && RequestsFailed == 0;

    /// <summary>The figures from the readings at the step's start, the window's two edges and the step's end.</summary>
    public static NatsBenchResult From(NatsBenchStep step, NatsBenchReading start, NatsBenchReading a, NatsBenchReading b, NatsBenchReading end, string? lastError)
    {
        var seconds = Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalSeconds;
        var natsCpu = b.NatsCpuSeconds - a.NatsCpuSeconds;
        var messages = (b.InMsgs - a.InMsgs) + (b.OutMsgs - a.OutMsgs);
        var machineTotal = b.MachineTotalTicks - a.MachineTotalTicks;
        return new NatsBenchResult
        {
            Step = step,
            WindowSeconds = seconds,
            EventsPerSecond = (b.EventsPublished - a.EventsPublished) / seconds,
            SendsPerSecond = (b.RequestsSent - a.RequestsSent) / seconds,
            InPerSecond = (b.InMsgs - a.InMsgs) / seconds,
            OutPerSecond = (b.OutMsgs - a.OutMsgs) / seconds,
            InBytesPerSecond = (b.InBytes - a.InBytes) / seconds,
            OutBytesPerSecond = (b.OutBytes - a.OutBytes) / seconds,
            NatsCores = natsCpu / seconds,
            ClientCores = (b.ClientCpuSeconds - a.ClientCpuSeconds) / seconds,
            MachineBusy = machineTotal > 0 ? (b.MachineBusyTicks - a.MachineBusyTicks) / (double)machineTotal : double.NaN,

            // /proc counts CPU in 10 ms ticks: below a few ticks the figure is noise, and none at all is no figure.
            MessagesPerCoreSecond = natsCpu >= 5 / ProcessStats.TicksPerSecond ? messages / natsCpu : double.NaN,
            StepIn = end.InMsgs - start.InMsgs,
            StepOut = end.OutMsgs - start.OutMsgs,
            ClientsIn = end.ClientsIn - start.ClientsIn,
            ClientsOut = end.ClientsOut - start.ClientsOut,
            SlowConsumers = end.SlowConsumers - start.SlowConsumers,
            Dropped = end.Dropped - start.Dropped,
            RequestsFailed = end.RequestsFailed - start.RequestsFailed,
            LastError = lastError,
        };
    }
}
