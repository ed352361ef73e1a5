using System.Diagnostics;

namespace LiveIm.LoadTest.Measurement;

/// <summary>
/// The measured part of one step: messages sent (by their embedded timestamp) from <see cref="StartTimestamp"/>
/// until <see cref="EndTimestamp"/> count toward the step's latency, wherever and whenever they arrive. Warm-up
/// messages and those of earlier steps fall outside and are ignored. Tracer receivers record into it concurrently.
/// </summary>
public sealed class StepWindow
{
    private long _start = long.MaxValue;
    private long _end = long.MaxValue;

    /// <summary>First send timestamp that counts (<see cref="Stopwatch.GetTimestamp"/>); none before <see cref="Open"/>.</summary>
    public long StartTimestamp => Volatile.Read(ref _start);

    /// <summary>First send timestamp that no longer counts.</summary>
    public long EndTimestamp => Volatile.Read(ref _end);

    /// <summary>Chat publish-to-receive latency, microseconds.</summary>
    public LatencyHistogram Chat { get; } = new();

    /// <summary>Gift publish-to-receive latency, microseconds.</summary>
    public LatencyHistogram Gift { get; } = new();

    /// <summary>Both lanes together (the capacity criterion's p99).</summary>
    public LatencyHistogram All { get; } = new();

    /// <summary>Starts counting messages sent from <paramref name="timestamp"/> on.</summary>
    public void Open(long timestamp) => Volatile.Write(ref _start, timestamp);

    /// <summary>Stops counting messages sent from <paramref name="timestamp"/> on (those sent before still count when they arrive).</summary>
    public void Close(long timestamp) => Volatile.Write(ref _end, timestamp);

    /// <summary>Records one received event of lane <paramref name="lane"/> ('c' chat, 'g' gift) sent at <paramref name="sent"/>.</summary>
    public void Record(byte lane, long sent, long now)
    {
        if (sent < StartTimestamp || sent >= EndTimestamp)
        {
            return;
        }

        var micros = (long)((now - sent) * (1_000_000.0 / Stopwatch.Frequency));
        var histogram = lane == (byte)'g' ? Gift : lane == (byte)'c' ? Chat : null;
        if (histogram is null)
        {
            return;
        }

        histogram.Record(micros);
        All.Record(micros);
    }
}
