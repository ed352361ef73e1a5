namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// How long every room's tick is, from what fan-out measurably costs on the machine the gateway runs on.
/// <para>
/// Why measured: a tick costs (local members) frame writes whatever it carries, and one frame write costs what the
/// machine makes it cost: 3-21 µs of gateway CPU on the machines LiveIm is benchmarked on, depending on the CPU and
/// on how many frames a wake-up of the transport carries. A constant cost per frame holds on one machine only.
/// So every <see cref="FanoutOptions.CostSampleMs"/> the policy reads the process's CPU time and the frames written
/// since the last sample and keeps a moving estimate of the CPU per frame write (all of the process's CPU is
/// charged to frames: an over-estimate when something else is busy, which errs towards merging more).
/// </para>
/// <para>
/// A room's share: tick = members x cost per frame / <see cref="FanoutOptions.RoomCoreShare"/>, so one room's
/// fan-out stays within its share of a core at any message rate (the frame count per tick does not grow with the
/// rate, only the frame size).
/// </para>
/// <para>
/// The gateway's budget: many hot rooms each within their share can still add up to more than the machine. The
/// policy compares the process's CPU with <see cref="FanoutOptions.GatewayCoreShare"/> of all cores and watches how
/// late flushes start against their due time (a late flush means the machine is behind, whoever is using it). Over
/// budget or late, every tick is stretched by a pressure factor that grows by a quarter per sample; well under
/// budget and on time, it shrinks back towards 1. Under overload ticks lengthen (more events per frame, the same
/// number of frames) up to <see cref="FanoutOptions.MaxTickMs"/> before latency grows.
/// </para>
/// </summary>
public sealed class TickPolicy : IDisposable
{
    private const double Smoothing = 0.3;
    private const int MinFramesPerSample = 500;

    private readonly FanoutOptions _options;
    private readonly Func<long> _framesWritten;
    private readonly Func<TimeSpan> _cpuTime;
    private readonly Func<long> _clockMs;
    private readonly ITimer? _timer;
    private readonly int _cores;
    private double _costMicros;
    private double _pressure = 1;
    private long _lastFrames;
    private TimeSpan _lastCpu;
    private long _lastSampleMs;
    private long _lateMsSum;
    private long _tickMsSum;
    private double _lastUtilization;

    /// <summary>A policy that samples the process every <see cref="FanoutOptions.CostSampleMs"/>.</summary>
    public TickPolicy(FanoutOptions options, FanoutMetrics metrics, TimeProvider time)
        : this(options, () => metrics.TotalFrames, () => Environment.CpuUsage.TotalTime, () => Environment.TickCount64, Environment.ProcessorCount)
    {
        _timer = time.CreateTimer(static state => ((TickPolicy)state!).Sample(), this,
            TimeSpan.FromMilliseconds(options.CostSampleMs), TimeSpan.FromMilliseconds(options.CostSampleMs));
        metrics.ObserveTickPolicy(this);
    }

    /// <summary>A policy fed by the given readings (tests call <see cref="Sample"/> themselves).</summary>
    internal TickPolicy(FanoutOptions options, Func<long> framesWritten, Func<TimeSpan> cpuTime, Func<long> clockMs, int cores)
    {
        _options = options;
        _framesWritten = framesWritten;
        _cpuTime = cpuTime;
        _clockMs = clockMs;
        _cores = Math.Max(1, cores);
        _costMicros = options.FrameCostMicros;
        _lastFrames = framesWritten();
        _lastCpu = cpuTime();
        _lastSampleMs = clockMs();
    }

    /// <summary>A policy that never samples: the configured <see cref="FanoutOptions.FrameCostMicros"/>, no pressure (unit tests, benchmarks).</summary>
    public static TickPolicy Fixed(FanoutOptions options) => new(options, static () => 0, static () => TimeSpan.Zero, static () => 0, 1);

    /// <summary>The current estimate of gateway CPU per frame written to one connection, in microseconds.</summary>
    public double FrameCostMicros => Volatile.Read(ref _costMicros);

    /// <summary>The factor every tick is stretched by because the gateway is over its budget (1 = not).</summary>
    public double Pressure => Volatile.Read(ref _pressure);

    /// <summary>The process's CPU over the last sample as a fraction of all cores.</summary>
    public double Utilization => Volatile.Read(ref _lastUtilization);

    /// <summary>
    /// The tick of a room with <paramref name="members"/> local members: within its share of a core at the
    /// measured cost, stretched by the gateway's pressure, between <see cref="FanoutOptions.TickMs"/> and
    /// <see cref="FanoutOptions.MaxTickMs"/>.
    /// </summary>
    public int TickFor(int members)
    {
        var share = Math.Max(_options.TickMs, members * FrameCostMicros / (_options.RoomCoreShare * 1000));
        return (int)Math.Clamp(Math.Ceiling(share * Pressure), _options.TickMs, Math.Max(_options.TickMs, _options.MaxTickMs));
    }

    /// <summary>
    /// How long a pending reliable event (a gift) may wait for its room's flush: <see cref="FanoutOptions.ReliableTickMs"/>
    /// stretched by the same pressure, never longer than the room's own tick. Bounded below so that a gift storm
    /// cannot bring back one frame per event: a room flushes at most once per this many ms.
    /// </summary>
    public int ReliableTickFor(int members) =>
        Math.Min(TickFor(members), (int)Math.Clamp(Math.Ceiling(_options.ReliableTickMs * Pressure), _options.TickMs, Math.Max(_options.TickMs, _options.MaxTickMs)));

    /// <summary>A flush started <paramref name="lateMs"/> after it was due, for a tick of <paramref name="tickMs"/>.</summary>
    public void FlushStarted(long lateMs, int tickMs)
    {
        Interlocked.Add(ref _lateMsSum, Math.Max(0, lateMs));
        Interlocked.Add(ref _tickMsSum, Math.Max(1, tickMs));
    }

    /// <summary>Reads the process's CPU and frames since the last sample and updates the cost and the pressure.</summary>
    public void Sample()
    {
        var now = _clockMs();
        var frames = _framesWritten();
        var cpu = _cpuTime();
        var wallMs = now - _lastSampleMs;
        if (wallMs <= 0)
        {
            return;
        }

        var framesDelta = frames - _lastFrames;
        var cpuMicros = (cpu - _lastCpu).TotalMicroseconds;
        _lastSampleMs = now;
        _lastFrames = frames;
        _lastCpu = cpu;

        // Few frames say little about their cost (start-up, JIT and joins dominate): keep the estimate.
        if (framesDelta >= MinFramesPerSample && cpuMicros > 0)
        {
            var sample = Math.Clamp(cpuMicros / framesDelta, 0.5, 10_000);
            Volatile.Write(ref _costMicros, (_costMicros * (1 - Smoothing)) + (sample * Smoothing));
        }

        var utilization = cpuMicros / (wallMs * 1000.0 * _cores);
        Volatile.Write(ref _lastUtilization, utilization);
        var late = Interlocked.Exchange(ref _lateMsSum, 0);
        var ticks = Interlocked.Exchange(ref _tickMsSum, 0);
        var lateness = ticks == 0 ? 0 : (double)late / ticks; // average lateness as a fraction of the tick

        var maxPressure = Math.Max(1, (double)Math.Max(_options.TickMs, _options.MaxTickMs) / Math.Max(1, _options.TickMs));
        var pressure = _pressure;
        if (utilization > _options.GatewayCoreShare || lateness > 0.5)
        {
            pressure = Math.Min(maxPressure, pressure * 1.25);
        }
        else if (utilization < _options.GatewayCoreShare * 0.6 && lateness < 0.1)
        {
            pressure = Math.Max(1, pressure / 1.1);
        }

        Volatile.Write(ref _pressure, pressure);
    }

    public void Dispose() => _timer?.Dispose();
}
