using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Service;

/// <summary>One lane of one run.</summary>
/// <param name="Asked">Calls/s the schedule was asked for.</param>
/// <param name="Due">Calls due in the window.</param>
/// <param name="Ok">Of those, acknowledged.</param>
/// <param name="Failed">Of those, failed or abandoned.</param>
/// <param name="SustainedPerSecond">Successful answers that arrived in the window, per second.</param>
/// <param name="Latency">Due time to answer, ms, of the acknowledged calls due in the window.</param>
/// <param name="LastError">The last failure, if any.</param>
public sealed record LaneResult(double Asked, long Due, long Ok, long Failed, double SustainedPerSecond, LatencySummary Latency, string? LastError)
{
    /// <summary>The lane kept up: at least 95 % of the asked rate answered inside the window, and no call failed.</summary>
    public bool KeptUp => Asked == 0 || (Failed == 0 && SustainedPerSecond >= 0.95 * Asked);
}

/// <summary>CPU one system process used in a run's window.</summary>
/// <param name="Name">gateway, roomservice, nats-server, redis-server.</param>
/// <param name="Seconds">User + system CPU seconds.</param>
/// <param name="MicrosecondsPerCall">CPU µs per call due in the window (null without calls).</param>
public sealed record ServiceProcessCpu(string Name, double Seconds, double? MicrosecondsPerCall);

/// <summary>One run of one system.</summary>
public sealed record ServiceRunResult
{
    /// <summary>Index into the options' system roots.</summary>
    public required int System { get; init; }

    /// <summary>1-based round.</summary>
    public required int Round { get; init; }

    /// <summary>Measured seconds.</summary>
    public double Seconds { get; init; }

    public LaneResult? Chat { get; init; }

    public LaneResult? Gift { get; init; }

    /// <summary>CPU seconds of each system process in the window, and microseconds per call due in the window.</summary>
    public IReadOnlyList<ServiceProcessCpu> Cpu { get; init; } = [];

    /// <summary>The LoadTest process's CPU in the window, % of one core.</summary>
    public double ClientCpuPercent { get; init; }

    /// <summary>CPU of every other process of the machine in the window, % of one core.</summary>
    public double OtherCpuPercent { get; init; }

    /// <summary>The whole machine's busy time in the window, % of all cores.</summary>
    public double MachineBusyPercent { get; init; }

    /// <summary>Why the run could not be measured, or null.</summary>
    public string? Error { get; init; }

    /// <summary>Calls due in the window, both lanes.</summary>
    public long Calls => (Chat?.Due ?? 0) + (Gift?.Due ?? 0);

    /// <summary>CPU µs per call of every system process together.</summary>
    public double? AllCpuPerCall => Calls > 0 ? Cpu.Sum(c => c.Seconds) / Calls * 1e6 : null;
}
