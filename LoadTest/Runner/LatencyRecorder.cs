using System.Diagnostics;
using HdrHistogram;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// Latencies in microseconds on HdrHistogram: many threads record, one sampler takes each second's interval histogram
/// (<see cref="Recorder"/> swaps two histograms, so recording never waits for a reader) and adds it to the total.
/// </summary>
/// <remarks>
/// Range 1 µs .. 1 hour at 3 significant digits (0.1 % error): a latency longer than an hour is recorded as an hour.
/// Values are taken on <see cref="Stopwatch.GetTimestamp"/>, the monotonic clock (CLOCK_MONOTONIC on Linux, shared by
/// every process of the machine, so a due time stamped by one process can be compared by another).
/// </remarks>
public sealed class LatencyRecorder
{
    /// <summary>Largest recordable value: one hour in microseconds.</summary>
    public const long HighestMicros = 3_600_000_000;

    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    private readonly Recorder _recorder = HistogramFactory.With64BitBucketSize()
        .WithValuesFrom(1).WithValuesUpTo(HighestMicros).WithPrecisionOf(3)
        .WithThreadSafeWrites().WithThreadSafeReads().Create();

    private readonly object _gate = new();
    private readonly HistogramBase _total = new LongHistogram(1, HighestMicros, 3);
    private HistogramBase? _last;

    // The exact largest value of the current interval and of the run: the histogram reports a bucket's upper edge
    // (up to 0.1 % above the value at 3 digits), and a threshold such as "no reconnect asked later than the 10 s
    // spread" must compare the value itself.
    private long _intervalMax;
    private long _totalMax;

    /// <summary>Records <paramref name="micros"/> (clamped to 1 µs .. 1 h).</summary>
    public void Record(long micros)
    {
        var value = Math.Clamp(micros, 1, HighestMicros);
        _recorder.RecordValue(value);
        AtomicMax.Raise(ref _intervalMax, value);
    }

    /// <summary>Records the time from <paramref name="fromTimestamp"/> to <paramref name="toTimestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Record(long fromTimestamp, long toTimestamp) => Record((long)((toTimestamp - fromTimestamp) * MicrosPerTick));

    /// <summary>The sampler: what was recorded since the last call; also added to <see cref="Total"/>.</summary>
    public LatencyStats TakeInterval()
    {
        lock (_gate)
        {
            var interval = _recorder.GetIntervalHistogram(_last);
            var max = Interlocked.Exchange(ref _intervalMax, 0);
            _total.Add(interval);
            _last = interval;
            _totalMax = Math.Max(_totalMax, max);
            return Exact(LatencyStats.From(interval), max);
        }
    }

    /// <summary>Everything recorded up to the last <see cref="TakeInterval"/>.</summary>
    public LatencyStats Total()
    {
        lock (_gate)
        {
            return Exact(LatencyStats.From(_total), _totalMax);
        }
    }

    // The stats with their exact max. A value recorded between the histogram swap and the exchange counts in the
    // next interval's max (and always in the run's).
    private static LatencyStats Exact(LatencyStats stats, long maxMicros) =>
        stats.Count == 0 || maxMicros == 0 ? stats : stats with { Max = maxMicros / 1000.0 };
}
