using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// The room's latest reliable events as this gateway released them, in seq order and without a hole: what a
/// resuming viewer missed, answered from memory.
/// <para>
/// Why at the gateway: when a gateway dies or drains, thousands of its viewers resume at once on the gateways that
/// already hold their room, each from nearly the same lastSeq. Read from history, every one of those joins pulls the
/// same events out of Redis, through RoomService and across the bus (1,000 gifts are ~300 KB per join: a few GB for
/// a big room's move), and the storm starves the very calls it waits on. Here the gateway copies them from the room
/// it already has, and asks RoomService only for what came after (usually nothing).
/// </para>
/// <para>
/// Bounded twice: at most <see cref="FanoutOptions.ResumeBufferEvents"/> events, none older than
/// <see cref="FanoutOptions.ResumeBufferSeconds"/>, so only a room at its gift cap holds the count (6,000 × ~300 bytes
/// = 1.8 MB), and a quiet room holds next to nothing. A hole (a seq given up by <see cref="ReliableOrder"/>) restarts
/// the run after it. Each event's bytes are the bus message's own array (never pooled), so holding them is safe.
/// Not thread-safe: <see cref="LocalRoom"/> calls it under its pending lock.
/// </para>
/// </summary>
internal sealed class RecentReliable
{
    private readonly int _maxEvents;
    private readonly long _maxAgeMs;
    private readonly Queue<(TickEvent Event, long AtMs)> _events = new();
    private long _after = -1; // the seq just before the first held one; -1 until the room has a baseline

    public RecentReliable(int maxEvents, int maxAgeSeconds)
    {
        _maxEvents = maxEvents;
        _maxAgeMs = maxAgeSeconds * 1000L;
    }

    /// <summary>Events held.</summary>
    public int Count => _events.Count;

    /// <summary>The last seq held (or the baseline while none is); -1 before the baseline.</summary>
    public long Last => _after < 0 ? -1 : _after + _events.Count;

    /// <summary>The run starts after <paramref name="seq"/>: the room's seq when its first join was answered.</summary>
    public void Start(long seq)
    {
        _events.Clear();
        _after = seq;
    }

    /// <summary>Adds an event the room released; one that does not follow the last restarts the run at it.</summary>
    public void Append(TickEvent e, long nowMs)
    {
        if (_maxEvents == 0 || e.Seq is not { } seq || _after < 0)
        {
            return;
        }

        if (seq != Last + 1)
        {
            Start(seq - 1);
        }

        _events.Enqueue((e, nowMs));
        Trim(nowMs);
    }

    /// <summary>
    /// The held events after <paramref name="lastSeq"/> when the run covers every seq after it (the run starts at or
    /// before lastSeq + 1 and lastSeq is not beyond it), with the run's last seq; false otherwise.
    /// </summary>
    public bool TryAfter(long lastSeq, long nowMs, out List<TickEvent> events, out long last)
    {
        Trim(nowMs);
        last = Last;
        events = [];
        if (_after < 0 || lastSeq < _after || lastSeq > last)
        {
            return false;
        }

        var skip = lastSeq - _after;
        events = new List<TickEvent>((int)(last - lastSeq));
        foreach (var (e, _) in _events)
        {
            if (skip-- <= 0)
            {
                events.Add(e);
            }
        }

        return true;
    }

    private void Trim(long nowMs)
    {
        while (_events.Count > 0 && (_events.Count > _maxEvents || nowMs - _events.Peek().AtMs > _maxAgeMs))
        {
            _events.Dequeue();
            _after++;
        }
    }
}
