using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// A room as one gateway holds it: its local members (sharded), its life on this gateway (<see cref="Lifecycle"/>),
/// and the tick engine that turns the room's events into one frame per tick.
/// <para>
/// Receive (bus thread): read the envelope; put a reliable event in seq order (<see cref="ReliableOrder"/>: a seq
/// already delivered is dropped, one that arrives ahead of a lower seq waits for it); add what is ready to the
/// <see cref="PendingTick"/> (likes are summed, not queued), and schedule a flush: at once if the room flushed
/// nothing for a whole tick (an idle room adds no latency), else at the end of the current tick (a hot room merges).
/// The tick comes from <see cref="TickPolicy"/> (the measured cost of a frame write on this machine); a pending
/// reliable event may bring the flush forward to its shorter reliable tick, so gifts do not wait for chat.
/// </para>
/// <para>
/// Flush (timer or thread pool): take the pending tick, write it (<see cref="RoomFanout"/>), then close the users
/// its bans name (<see cref="BanSweep"/>). Flushes of a room never overlap, so members see frames in order.
/// </para>
/// </summary>
public sealed class LocalRoom : IDisposable
{
    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;
    private readonly TickPolicy _policy;
    private readonly MemberShards _members = new();
    private readonly RoomFanout _fanout;
    private readonly object _pendingGate = new();
    private readonly FlushSchedule _schedule;
    private readonly GapWatch _gap;
    private readonly ReliableOrder _order = new();
    private readonly RecentReliable _recent;
    private readonly List<TickEvent> _released = new();
    private readonly PendingTick _pending = new();
    private int _repairing;
    private bool _disposed;

    public LocalRoom(string roomId, FanoutOptions options, FanoutMetrics metrics)
        : this(roomId, options, metrics, TickPolicy.Fixed(options))
    {
    }

    public LocalRoom(string roomId, FanoutOptions options, FanoutMetrics metrics, TickPolicy policy)
    {
        RoomId = roomId;
        _options = options;
        _metrics = metrics;
        _policy = policy;
        _fanout = new RoomFanout(_members, options, metrics);
        _recent = new RecentReliable(options.ResumeBufferEvents, options.ResumeBufferSeconds);
        _schedule = new FlushSchedule(Flush);
        _gap = new GapWatch(options.ReorderWaitMs, options.GapGiveUpMs, OnGapTimer);
    }

    /// <summary>The room id.</summary>
    public string RoomId { get; }

    /// <summary>The room's gate, subscription and retirement.</summary>
    public RoomLifecycle Lifecycle { get; } = new();

    /// <summary>
    /// Called (on a timer thread) when a reliable seq has been missing for <see cref="FanoutOptions.ReorderWaitMs"/>
    /// while later ones wait: the owner reads history back into <see cref="DeliverRepair"/>.
    /// </summary>
    public Action<LocalRoom>? GapRepair { get; set; }

    /// <summary>Local member count.</summary>
    public int Count => _members.Count;

    /// <summary>The room's current tick in ms (what its next flush waits at most).</summary>
    public int TickMs => _policy.TickFor(_members.Count);

    /// <summary>Wall time of the last flush per member written, in microseconds (0 before one).</summary>
    public double LastFlushMicrosPerMember { get; private set; }

    public void Add(RoomMember member) => _members.Add(member);

    public bool Remove(RoomMember member) => _members.Remove(member);

    /// <summary>
    /// Where a room event received from the bus enters the gateway. False when it is unreadable or a reliable
    /// event already delivered (same seq).
    /// </summary>
    public bool Receive(ReadOnlyMemory<byte> json)
    {
        _metrics.BusReceived();
        if (!RoomEventJson.TryReadEnvelope(json.Span, out var e))
        {
            return false;
        }

        if (ReferenceEquals(e.Type, RoomEventTypes.Online))
        {
            // RoomService's presence broadcast, one per change of the room's total: a latest-value signal (no seq),
            // so it replaces the room's current number instead of queueing; it rides along with the next frame.
            if (RoomEventJson.Deserialize(json.Span).Online is not { } online)
            {
                return false;
            }

            SetOnline(online);
            return true;
        }

        lock (_pendingGate)
        {
            if (e.IsReliable)
            {
                if (e.Seq is not { } seq || !_order.Offer(new TickEvent(json, seq, e.Lane, e.ServerTs), seq, _released))
                {
                    return false;
                }

                _metrics.EventIn(e.Lane);
                if (_released.Count == 0 && _order.HasBaseline)
                {
                    _metrics.ReliableEarly();
                }

                ReleaseLocked();
                return true;
            }

            _metrics.EventIn(e.Lane);
            if (ReferenceEquals(e.Lane, Lane.Like))
            {
                _pending.AddLike(json, e);
            }
            else
            {
                _pending.Add(new TickEvent(json, e.Seq, e.Lane, e.ServerTs));
            }

            ScheduleLocked();
        }

        return true;
    }

    /// <summary>
    /// Sets where the room's reliable seq starts (the seq its first join was answered with, while that join still
    /// holds the room's gate); the first call wins. See <see cref="ReliableOrder.SetBaseline"/>.
    /// </summary>
    public void SetBaseline(long seq)
    {
        lock (_pendingGate)
        {
            if (!_order.HasBaseline)
            {
                _recent.Start(seq);
            }

            _order.SetBaseline(seq, _released);
            ReleaseLocked();
        }
    }

    /// <summary>
    /// The reliable events after <paramref name="lastSeq"/> from the room's memory of its latest ones
    /// (<see cref="RecentReliable"/>), when it holds every one of them, with the last seq it holds: a resume then asks
    /// RoomService only for what came after that. False when the memory does not reach back to lastSeq + 1 (or
    /// lastSeq is beyond what this gateway has seen).
    /// </summary>
    public bool TryRecentAfter(long lastSeq, out List<TickEvent> events, out long lastHeld)
    {
        lock (_pendingGate)
        {
            return _recent.TryAfter(lastSeq, Environment.TickCount64, out events, out lastHeld);
        }
    }

    /// <summary>
    /// Delivers reliable events read back from history (the page after <paramref name="afterSeq"/>), in seq order
    /// with the live ones, skipping those already delivered. When history starts beyond the missing seq, that seq
    /// is gone from history (trimmed) and is given up at once instead of after <see cref="FanoutOptions.GapGiveUpMs"/>.
    /// </summary>
    /// <returns>How many of them were new.</returns>
    public int DeliverRepair(IReadOnlyList<TickEvent> events, long afterSeq)
    {
        var fresh = 0;
        lock (_pendingGate)
        {
            foreach (var e in events)
            {
                if (e.Seq is { } seq && _order.Offer(e, seq, _released))
                {
                    fresh++;
                }
            }

            if (events.Count > 0 && events[0].Seq > afterSeq + 1 && _order.MissingSeq == afterSeq + 1)
            {
                _metrics.ReliableGapSkipped(_order.SkipGap(_released));
            }

            ReleaseLocked();
        }

        return fresh;
    }

    /// <summary>Where a repair read should start (after the last seq released in order); null before the room has a baseline.</summary>
    public long? RepairFrom()
    {
        lock (_pendingGate)
        {
            return _order.HasBaseline ? _order.Released : null;
        }
    }

    /// <summary>Claims the room's one repair read in flight; false when one is running.</summary>
    public bool TryBeginRepair() => Interlocked.Exchange(ref _repairing, 1) == 0;

    /// <summary>Ends the repair read claimed with <see cref="TryBeginRepair"/>.</summary>
    public void EndRepair() => Volatile.Write(ref _repairing, 0);

    /// <summary>
    /// The room's total online count (all gateways) as RoomService last broadcast it; a change rides along with the
    /// next frame, or goes out on its own when the room is quiet.
    /// </summary>
    public void SetOnline(long online)
    {
        lock (_pendingGate)
        {
            if (_pending.SetOnline(online))
            {
                ScheduleLocked();
            }
        }
    }

    /// <summary>Writes the pending tick now (also called by the tick timer).</summary>
    public void Flush()
    {
        List<TickEvent> events;
        List<string>? bans;
        lock (_pendingGate)
        {
            if (!_schedule.TryBegin(out var lateMs, out var intervalMs))
            {
                return; // one is running (it requests again when it ends), or the room is gone
            }

            if (lateMs is { } late)
            {
                _policy.FlushStarted(late, intervalMs);
            }

            (events, bans) = _pending.Take(RoomId);
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _fanout.WriteTick(events, () => FlushWritten(started, bans));
    }

    // The pending tick is written (on the flush's thread, or a walk's for a big room): close the banned users, end the flush.
    private void FlushWritten(long started, List<string>? bans)
    {
        try
        {
            if (bans is not null)
            {
                BanSweep.Close(RoomId, _members, bans, _metrics);
            }
        }
        finally
        {
            var members = Math.Max(1, _members.Count);
            LastFlushMicrosPerMember = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMicroseconds / members;
            lock (_pendingGate)
            {
                if (_schedule.End())
                {
                    ScheduleLocked();
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_pendingGate)
        {
            _disposed = true;
            _schedule.Dispose();
            _gap.Dispose();
        }
    }

    /// <summary>Fans one tick's events out synchronously (benchmarks and tests; the engine calls it from Flush).</summary>
    internal void FanOutTick(List<TickEvent> events) => _fanout.WriteFrame(events);

    // Under _pendingGate: what the order released goes to the pending tick.
    private void ReleaseLocked()
    {
        if (_released.Count > 0)
        {
            var now = Environment.TickCount64;
            foreach (var e in _released)
            {
                _pending.Add(e);
                _recent.Append(e, now);
            }

            _released.Clear();
            ScheduleLocked();
        }

        WatchGapLocked();
    }

    // Under _pendingGate: the gap clock follows the order's missing seq (GapWatch).
    private void WatchGapLocked()
    {
        if (!_disposed)
        {
            _gap.Watch(_order.MissingSeq);
        }
    }

    private void OnGapTimer()
    {
        lock (_pendingGate)
        {
            var step = _disposed ? GapStep.None : _gap.Fire(_order.MissingSeq);
            if (step == GapStep.GiveUp)
            {
                _metrics.ReliableGapSkipped(_order.SkipGap(_released));
                ReleaseLocked();
            }

            if (step != GapStep.Repair)
            {
                return;
            }
        }

        _metrics.ReliableGapRepair();
        GapRepair?.Invoke(this);
    }

    // Under _pendingGate. Due at the end of the room's tick, or sooner (its reliable tick) when a reliable event
    // waits: a gift does not wait for a hot room's chat merge, and the room still flushes at most once per
    // reliable tick however many gifts arrive.
    private void ScheduleLocked()
    {
        var members = _members.Count;
        _schedule.Request(_pending.HasReliable ? _policy.ReliableTickFor(members) : _policy.TickFor(members));
    }
}
