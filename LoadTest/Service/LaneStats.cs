using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Service;

/// <summary>
/// One lane's calls (chat or gift) in the measured window: latency from due time to answer of every call due in the
/// window, how many of those succeeded or failed, and how many answers arrived within the window (the rate sustained).
/// Safe for concurrent completions.
/// </summary>
internal sealed class LaneStats
{
    private long _due;
    private long _ok;
    private long _failed;
    private long _answeredInWindow;
    private string? _lastError;

    /// <summary>Microseconds from due time to answer, successful calls due in the window.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Calls due in the window.</summary>
    public long Due => Interlocked.Read(ref _due);

    /// <summary>Calls due in the window that the server acknowledged.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Calls due in the window that failed (refused, errored, or abandoned after the drain timeout).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Successful answers that arrived inside the window, whenever their call was due.</summary>
    public long AnsweredInWindow => Interlocked.Read(ref _answeredInWindow);

    /// <summary>The last failure's message, if any.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    public void CountDue() => Interlocked.Increment(ref _due);

    public void Succeeded(long latencyMicroseconds, bool dueInWindow, bool answeredInWindow)
    {
        if (dueInWindow)
        {
            Interlocked.Increment(ref _ok);
            Latency.Record(latencyMicroseconds);
        }

        if (answeredInWindow)
        {
            Interlocked.Increment(ref _answeredInWindow);
        }
    }

    public void FailedWith(string? error, bool dueInWindow)
    {
        if (dueInWindow)
        {
            Interlocked.Increment(ref _failed);
        }

        Volatile.Write(ref _lastError, error);
    }
}
