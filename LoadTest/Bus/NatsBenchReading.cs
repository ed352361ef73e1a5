using System.Diagnostics;
using System.Text.Json;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// One reading of everything a step measures, taken at one moment: nats-server's counters (<c>/varz</c>) and CPU
/// (<c>/proc</c>), this process's CPU (the load clients), the machine's busy time, and the clients' own counts.
/// </summary>
internal sealed record NatsBenchReading(
    long Timestamp,
    long InMsgs,
    long OutMsgs,
    long InBytes,
    long OutBytes,
    long SlowConsumers,
    double NatsCpuSeconds,
    double ClientCpuSeconds,
    long MachineBusyTicks,
    long MachineTotalTicks,
    long EventsPublished,
    long RequestsSent,
    long ClientsIn,
    long ClientsOut,
    long Dropped,
    long RequestsFailed)
{
    /// <summary>Reads <paramref name="server"/> and <paramref name="counters"/> now.</summary>
    public static async Task<NatsBenchReading> TakeAsync(NatsBenchServer server, NatsBenchCounters counters)
    {
        // CPU and the clients' counts first, /varz after: the HTTP round trip falls at the same place at both edges of
        // a window, and nats-server answers /varz in well under a millisecond of CPU against the seconds measured.
        var natsCpu = ProcessStats.CpuSeconds(server.Pid) ?? throw new InvalidOperationException($"nats-server (pid {server.Pid}) is gone");
        var clientCpu = ProcessStats.CpuSeconds(Environment.ProcessId) ?? double.NaN;
        var (busy, total) = ProcessStats.MachineTicks();
        var timestamp = Stopwatch.GetTimestamp();
        var (eventsPublished, requestsSent, clientsIn, clientsOut, dropped, failed) =
            (counters.EventsPublished, counters.RequestsSent, counters.MessagesIn, counters.MessagesOut, counters.Dropped, counters.RequestsFailed);
        using var varz = JsonDocument.Parse(await server.VarzAsync().ConfigureAwait(false));
        var root = varz.RootElement;
        return new NatsBenchReading(
            timestamp,
            root.GetProperty("in_msgs").GetInt64(),
            root.GetProperty("out_msgs").GetInt64(),
            root.GetProperty("in_bytes").GetInt64(),
            root.GetProperty("out_bytes").GetInt64(),
            root.TryGetProperty("slow_consumers", out var slow) ? slow.GetInt64() : 0,
            natsCpu,
            clientCpu,
            busy,
            total,
            eventsPublished,
            requestsSent,
            clientsIn,
            clientsOut,
            dropped,
            failed);
    }
}
