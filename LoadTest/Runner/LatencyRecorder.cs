using System.Diagnostics;
using HdrHistogram;

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

    /// <summary>Records <paramref name="micros"/> (clamped to 1 µs .. 1 h).</summary>
    public void Record(long micros) => _recorder.RecordValue(Math.Clamp(micros, 1, HighestMicros));

    /// <summary>Records the time from <paramref name="fromTimestamp"/> to <paramref name="toTimestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Record(long fromTimestamp, long toTimestamp) => Record((long)((toTimestamp - fromTimestamp) * MicrosPerTick));

    /// <summary>The sampler: what was recorded since the last call; also added to <see cref="Total"/>.</summary>
    public LatencyStats TakeInterval()
    {
        lock (_gate)
        {
            var interval = _recorder.GetIntervalHistogram(_last);
            _total.Add(interval);
            _last = interval;
            return LatencyStats.From(interval);
        }
    }

    /// <summary>Everything recorded up to the last <see cref="TakeInterval"/>.</summary>
    public LatencyStats Total()
    {
        lock (_gate)
        {
            return LatencyStats.From(_total);
        }
    }
}
