using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// The process's own CPU time and resident memory, on the <c>LiveIm.Process</c> meter (one per process), under the
/// names every Prometheus client library uses (<c>process_cpu_seconds_total</c>, <c>process_working_set_bytes</c>),
/// so dashboards and autoscalers read CPU and memory per gateway and per RoomService from the same scrape as the
/// fan-out figures, without a node or container exporter. Read when scraped, nothing in between.
/// </summary>
public sealed class ProcessMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "LiveIm.Process";

    private readonly Meter _meter = new(MeterName);

    public ProcessMetrics()
    {
        // Unit "s" turns "process.cpu" into process_cpu_seconds_total: user + system time of all threads.
        _meter.CreateObservableCounter("process.cpu", () => Environment.CpuUsage.TotalTime.TotalSeconds, unit: "s",
            description: "CPU time the process used (user + system), seconds");
        _meter.CreateObservableGauge("process.working_set_bytes", () => Environment.WorkingSet, unit: "By",
            description: "Resident memory of the process (RSS), bytes");
        _meter.CreateObservableGauge("process.start_time_seconds", () => StartTime, unit: "s",
            description: "Start time of the process, seconds since the Unix epoch");
    }

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    private static double StartTime { get; } = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;

    public void Dispose() => _meter.Dispose();
}
