namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// When a room's next flush runs: at the end of its tick, measured from the start of its last flush (so a room idle
/// for a whole tick flushes at once, and a hot one at most once a tick), brought forward by a shorter wait (a
/// reliable event's), never two flushes at once. Every call but the timer's is made under the room's lock.
/// </summary>
internal sealed class FlushSchedule : IDisposable
{
    private readonly Timer _timer;
    private readonly Action<object?> _runFlush;
    private bool _scheduled;
    private bool _running;
    private bool _disposed;
    private long _lastFlushMs = long.MinValue / 2;
    private long _dueMs;

    /// <param name="flush">Runs the flush (on the timer's thread or the thread pool); it calls <see cref="TryBegin"/> and <see cref="End"/>.</param>
    public FlushSchedule(Action flush)
    {
        _runFlush = _ => flush();
        _timer = new Timer(static state => ((Action)state!)(), flush, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>
    /// Asks for a flush <paramref name="waitMs"/> after the last one started (at once when that has passed). A flush
    /// already due sooner stays; one due later is brought forward; while a flush runs the request waits for its end.
    /// </summary>
    public void Request(int waitMs)
    {
        if (_disposed)
        {
            return;
        }

        var due = _lastFlushMs + waitMs;
        if (_scheduled && (_running || _dueMs == 0 || due >= _dueMs))
        {
            return; // already due, and no sooner
        }

        _scheduled = true;
        if (_running)
        {
            return; // requested again when the running flush ends
        }

        var dueIn = due - Environment.TickCount64;
        if (dueIn <= 0)
        {
            _dueMs = 0;
            ThreadPool.UnsafeQueueUserWorkItem(_runFlush, null, preferLocal: false);
        }
        else
        {
            _dueMs = due;
            _timer.Change(dueIn, Timeout.Infinite);
        }
    }

    /// <summary>
    /// Starts a flush now. False when one is running (it requests again when it ends) or the room is gone.
    /// <paramref name="lateMs"/> and <paramref name="intervalMs"/> say how late a timed flush starts against its due time
    /// and how long its tick was (null for a flush that was due at once), for the tick policy.
    /// </summary>
    public bool TryBegin(out long? lateMs, out int intervalMs)
    {
        lateMs = null;
        intervalMs = 0;
        if (_running || _disposed)
        {
            return false;
        }

        _running = true;
        _scheduled = false;
        var now = Environment.TickCount64;
        if (_dueMs > 0)
        {
            lateMs = now - _dueMs;
            intervalMs = (int)Math.Max(1, _dueMs - _lastFlushMs);
            _dueMs = 0;
        }

        _lastFlushMs = now;
        return true;
    }

    /// <summary>Ends the running flush; true when a flush was requested meanwhile (the caller requests it again, with the wait that now applies).</summary>
    public bool End()
    {
        _running = false;
        if (!_scheduled)
        {
            return false;
        }

        _scheduled = false;
        return true;
    }

    /// <summary>Stops the timer; later requests do nothing.</summary>
    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
    }
}
