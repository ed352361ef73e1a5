using System.Collections.Concurrent;

namespace LiveIm.RoomGateway.Presence;

/// <summary>
/// When this gateway last wrote each room's local count to Redis between its periodic reports, and which rooms'
/// counts changed since (docs/operations.md, "Presence"). A join whose room was not written for
/// <see cref="WriteEveryMs"/> carries the fresh count in its request and RoomService records it in the join's own
/// presence script call; any other join or leave marks the room changed, and <see cref="PresenceReporter"/> writes
/// it once that window has passed. So another gateway's join sees this gateway's members at once when joins are
/// spread out, and at most <see cref="WriteEveryMs"/> late in a storm, while a room costs at most one extra write per
/// window per gateway whatever the join rate.
/// </summary>
public sealed class PresenceWrites
{
    /// <summary>
    /// Shortest time between two writes of one room's count outside the periodic report: at most 4 writes per room
    /// per gateway per second, so a go-live storm of 2,000 joins/s into one room records 4 of them (the others ride
    /// on the plain read every join makes anyway), and a count is never more than a quarter second behind.
    /// </summary>
    public const int WriteEveryMs = 250;

    private readonly ConcurrentDictionary<string, long> _writtenAtMs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _changed = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly TimeProvider _time;

    public PresenceWrites(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>
    /// A join has added its member to <paramref name="roomId"/>: true when its request should carry the room's count
    /// for RoomService to record (nothing wrote it for <see cref="WriteEveryMs"/>; the write is now claimed), false
    /// when the room was written moments ago (the room is marked changed and written at the end of the window).
    /// </summary>
    public bool TryClaimJoinWrite(string roomId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            if (!_writtenAtMs.TryGetValue(roomId, out var last))
            {
                if (_writtenAtMs.TryAdd(roomId, now))
                {
                    return true;
                }
            }
            else if (now - last < WriteEveryMs)
            {
                MarkChanged(roomId, due: false);
                return false;
            }
            else if (_writtenAtMs.TryUpdate(roomId, now, last))
            {
                return true;
            }
        }
    }

    /// <summary>
    /// A member left <paramref name="roomId"/> (or a join failed): the room's count is written at once when its window
    /// has passed, else at the end of the window. A viewer who drops and resumes on another gateway is then counted
    /// once: the old gateway's withdrawal is in Redis before the new connection has joined.
    /// </summary>
    public void Changed(string roomId)
    {
        var due = !_writtenAtMs.TryGetValue(roomId, out var last) || _time.GetUtcNow().ToUnixTimeMilliseconds() - last >= WriteEveryMs;
        MarkChanged(roomId, due);
    }

    // Wakes the reporter when the room is due now, or newly marked (so the reporter learns when its window ends): at
    // most a wake or two per room per window, however many joins and leaves a storm brings.
    private void MarkChanged(string roomId, bool due)
    {
        if (!_changed.TryAdd(roomId, 0) && !due)
        {
            return;
        }

        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // woken already
            }
        }
    }

    /// <summary>Waits until a room is marked changed or due at once (true), or <paramref name="timeout"/> (false).</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    /// <summary>
    /// The changed rooms whose last write is at least <see cref="WriteEveryMs"/> old, taken out of the changed set
    /// and stamped as written now: the caller reads their counts after this returns, so a change made meanwhile marks
    /// the room again and is not lost. <paramref name="nextDueMs"/>: how long until the next changed room is due
    /// (<see cref="Timeout.Infinite"/> when none is left).
    /// </summary>
    public List<string> TakeDue(out long nextDueMs)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = new List<string>();
        nextDueMs = Timeout.Infinite;
        foreach (var roomId in _changed.Keys)
        {
            if (_writtenAtMs.TryGetValue(roomId, out var last) && now - last < WriteEveryMs)
            {
                var wait = last + WriteEveryMs - now;
                nextDueMs = nextDueMs == Timeout.Infinite ? wait : Math.Min(nextDueMs, wait);
                continue;
            }

            _changed.TryRemove(roomId, out _);
            _writtenAtMs[roomId] = now;
            due.Add(roomId);
        }

        return due;
    }

    /// <summary>
    /// Forgets write times older than the window (for a room gone from this gateway they would stay forever); a room
    /// without one may be written at once, exactly as with an old one, so this changes no decision.
    /// </summary>
    public void ForgetOld()
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var entry in _writtenAtMs)
        {
            if (now - entry.Value >= WriteEveryMs)
            {
                _writtenAtMs.TryRemove(entry); // only when unchanged since read: a write claimed meanwhile stays
            }
        }
    }
}
