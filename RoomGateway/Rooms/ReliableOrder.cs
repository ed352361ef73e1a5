using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Puts a room's reliable events (gifts, system) into seq order before they reach the tick, and lets each seq
/// through once.
/// <para>
/// Why at the gateway: RoomService stamps a seq in Redis and then publishes; requests run concurrently, on several
/// instances, so the bus carries, say, 9 before 8 (measured: about one gift publish in eight at 115 gifts/s from
/// one instance). Ordering at publish would need a per-room lock across every RoomService instance; here it costs
/// nothing when the bus is in order and, when it is not, the early event waits only until its predecessor arrives
/// (a publish that lost a race by microseconds to milliseconds). A predecessor that does not come within
/// <see cref="FanoutOptions.ReorderWaitMs"/> is read back from history (every stamped seq is in history: the
/// script that stamps it also appends it), and one that history cannot give within
/// <see cref="FanoutOptions.GapGiveUpMs"/> is given up (counted): later gifts do not wait forever behind a hole,
/// and a client that sees the gap resumes with lastSeq.
/// </para>
/// <para>
/// Not thread-safe: <see cref="LocalRoom"/> calls it under its pending lock.
/// </para>
/// </summary>
internal sealed class ReliableOrder
{
    /// <summary>Early events held at most; past it the oldest gap is given up (a flood cannot grow the buffer).</summary>
    public const int MaxEarly = 4096;

    private readonly SortedList<long, TickEvent> _early = new();
    private long _next;

    /// <summary>True once the room knows where its seq starts (<see cref="SetBaseline"/>).</summary>
    public bool HasBaseline => _next > 0;

    /// <summary>The highest seq released in order (what a repair read starts after); 0 before the baseline.</summary>
    public long Released => _next - 1;

    /// <summary>The first seq missing before the held early events (0 when there is no gap).</summary>
    public long MissingSeq => HasBaseline && _early.Count > 0 ? _next : 0;

    /// <summary>Events waiting for a lower seq (or for the baseline).</summary>
    public int EarlyCount => _early.Count;

    /// <summary>
    /// Takes one reliable event. Appends to <paramref name="released"/> what may go to the tick now, in seq order.
    /// </summary>
    /// <returns>False when the seq was released before or is already held (a duplicate).</returns>
    public bool Offer(TickEvent e, long seq, List<TickEvent> released)
    {
        if (HasBaseline && seq < _next)
        {
            return false;
        }

        if (HasBaseline && seq == _next)
        {
            released.Add(e);
            _next++;
            ReleaseContiguous(released);
            return true;
        }

        if (!_early.TryAdd(seq, e))
        {
            return false;
        }

        if (_early.Count > MaxEarly)
        {
            SkipGap(released);
        }

        return true;
    }

    /// <summary>
    /// Sets where the room's seq starts: the room's seq when its first join was answered. Every event after it was
    /// stamped after the subscription was live, so it reaches the room; events up to it are history the joiners got
    /// from their join, and are dropped here.
    /// </summary>
    public void SetBaseline(long seq, List<TickEvent> released)
    {
        if (HasBaseline)
        {
            return;
        }

        _next = seq + 1;
        while (_early.Count > 0 && _early.Keys[0] < _next)
        {
            _early.RemoveAt(0);
        }

        ReleaseContiguous(released);
    }

    /// <summary>Gives up the missing seqs before the lowest early event and releases from there (counted by the caller).</summary>
    /// <returns>How many seqs were given up.</returns>
    public long SkipGap(List<TickEvent> released)
    {
        if (_early.Count == 0)
        {
            return 0;
        }

        var lowest = _early.Keys[0];
        var skipped = HasBaseline ? lowest - _next : 0;
        _next = lowest;
        ReleaseContiguous(released);
        return skipped;
    }

    private void ReleaseContiguous(List<TickEvent> released)
    {
        while (_early.Count > 0 && _early.Keys[0] == _next)
        {
            released.Add(_early.Values[0]);
            _early.RemoveAt(0);
            _next++;
        }
    }
}
