using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// A room as one gateway holds it: its local members (sharded), the bus subscription that exists exactly while it
/// has members, and the tick engine that turns the room's events into one frame per tick.
/// <para>
/// Receive (bus thread): read the envelope; put a reliable event in seq order (<see cref="ReliableOrder"/>: a seq
/// already delivered is dropped, one that arrives ahead of a lower seq waits for it); add what is ready to the
/// pending tick (likes are summed, not queued), and schedule a flush: at once if the room flushed nothing for a
/// whole tick (an idle room adds no latency), else at the end of the current tick (a hot room merges).
/// </para>
/// <para>
/// Flush (timer or thread pool): build the frame once (and its reliable-only twin when the tick mixes lanes),
/// then offer it to every member, shard by shard, in parallel for big rooms. Flushes of a room never overlap, so
/// members see frames in order.
/// </para>
/// <para>
/// Bans: a <c>ban</c> event (system lane) is a room event like any other, so every gateway with members of the
/// room receives it once. The flush that delivers it then closes the banned user's connections in this room
/// (<c>banned: ...</c>, no reconnect): the rest of the room sees the event first. Only a reference comparison of
/// the event type is added to the receive path; the user id is read, and the members walked, for ban events only.
/// </para>
/// </summary>
public sealed class LocalRoom : IDisposable
{
    private static readonly MemberShards.Visitor<FanoutState> OfferVisitor = static (RoomMember member, ref FanoutState state) =>
    {
        if (member.Offer(state.Full, state.ReliableOnly) is { } given)
        {
            if (ReferenceEquals(given, state.Full))
            {
                state.FullRecipients++;
            }
            else
            {
                state.ReliableRecipients++;
            }
        }
    };

    // Collects the members a ban closes (under each shard's lock; they are closed after the walk).
    private static readonly MemberShards.Visitor<BanState> BanVisitor = static (RoomMember member, ref BanState state) =>
    {
        if (!member.Identity.IsAnonymous && state.UserIds.Contains(member.Identity.UserId)
            && member.Identity.RoleIn(state.RoomId) == Roles.Viewer)
        {
            state.Found.Add(member);
        }
    };

    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;
    private readonly MemberShards _members;
    private readonly object _pendingGate = new();
    private readonly Timer _timer;
    private readonly Timer _gapTimer;
    private readonly Action<object?> _flushCallback;
    private readonly ReliableOrder _order = new();
    private readonly List<TickEvent> _released = new();
    private List<TickEvent> _pending = new();
    private long _gapSeq;
    private long _gapSinceMs;
    private int _repairing;
    private List<string>? _bans;
    private LikeTotal _likes;
    private bool _flushScheduled;
    private bool _flushRunning;
    private long _lastFlushMs = long.MinValue / 2;
    private long _online = -1;
    private long _onlineSent = -1;
    private bool _disposed;

    public LocalRoom(string roomId, FanoutOptions options, FanoutMetrics metrics)
    {
        RoomId = roomId;
        _options = options;
        _metrics = metrics;
        _members = new MemberShards();
        _flushCallback = _ => Flush();
        _timer = new Timer(static state => ((LocalRoom)state!).Flush(), this, Timeout.Infinite, Timeout.Infinite);
        _gapTimer = new Timer(static state => ((LocalRoom)state!).OnGapTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The room id.</summary>
    public string RoomId { get; }

    /// <summary>Serializes subscribe/unsubscribe against joins and leaves.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The bus subscription while the room has members.</summary>
    public IAsyncDisposable? Subscription { get; set; }

    /// <summary>Set once the last member left and the room was retired; a join that finds it retired starts over.</summary>
    public bool Retired { get; set; }

    /// <summary>
    /// Called (on a timer thread) when a reliable seq has been missing for <see cref="FanoutOptions.ReorderWaitMs"/>
    /// while later ones wait: the owner reads history back into <see cref="DeliverRepair"/>.
    /// </summary>
    public Action<LocalRoom>? GapRepair { get; set; }

    /// <summary>Local member count.</summary>
    public int Count => _members.Count;

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
                _likes = _likes.Add(json, e);
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
    /// holds the room's <see cref="Gate"/>); the first call wins. See <see cref="ReliableOrder.SetBaseline"/>.
    /// </summary>
    public void SetBaseline(long seq)
    {
        lock (_pendingGate)
        {
            _order.SetBaseline(seq, _released);
            ReleaseLocked();
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
            if (online == _online)
            {
                return;
            }

            _online = online;
            ScheduleLocked();
        }
    }

    /// <summary>Writes the pending tick now (also called by the tick timer).</summary>
    public void Flush()
    {
        List<TickEvent> events;
        LikeTotal likes;
        long online;
        List<string>? bans;
        lock (_pendingGate)
        {
            if (_flushRunning || _disposed)
            {
                return; // the running flush reschedules when it ends
            }

            _flushRunning = true;
            _flushScheduled = false;
            _lastFlushMs = Environment.TickCount64;
            events = _pending;
            _pending = new List<TickEvent>(Math.Min(events.Count, 256));
            likes = _likes;
            _likes = default;
            online = _online != _onlineSent ? _online : -1;
            _onlineSent = _online;
            bans = _bans;
            _bans = null;
        }

        try
        {
            if (likes.Events > 0)
            {
                events.Add(likes.ToEvent(RoomId));
            }

            if (online >= 0)
            {
                events.Add(new TickEvent(RoomEventJson.Serialize(new RoomEvent
                {
                    RoomId = RoomId, Lane = Lane.System, Type = RoomEventTypes.Online, Online = online,
                    ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                }), null, Lane.System));
            }

            // Usually one frame per tick; a tick bigger than MaxFrameBytes is cut into several, in order.
            var start = 0;
            while (start < events.Count)
            {
                var end = start;
                var bytes = 0;
                while (end < events.Count && (end == start || bytes + events[end].Json.Length <= _options.MaxFrameBytes))
                {
                    bytes += events[end].Json.Length + 1;
                    end++;
                }

                var frame = start == 0 && end == events.Count ? events : events.GetRange(start, end - start);
                _metrics.Written(frame);
                FanOut(frame);
                start = end;
            }

            if (bans is not null)
            {
                CloseBanned(bans);
            }
        }
        finally
        {
            lock (_pendingGate)
            {
                _flushRunning = false;
                if (_flushScheduled)
                {
                    _flushScheduled = false;
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
        }

        _timer.Dispose();
        _gapTimer.Dispose();
    }

    /// <summary>Fans one tick's events out synchronously (benchmarks and tests; the engine calls it from Flush).</summary>
    internal void FanOutTick(List<TickEvent> events) => FanOut(events);

    private void FanOut(List<TickEvent> events)
    {
        var full = RoomFrame.Build(events);
        RoomFrame? reliableOnly = null;
        if (full.Counts.Reliable > 0 && full.Counts.BestEffort > 0)
        {
            reliableOnly = RoomFrame.Build(events.FindAll(e => e.IsReliable));
        }
        else if (full.Counts.BestEffort == 0)
        {
            reliableOnly = full;
        }

        _metrics.Tick();
        try
        {
            long fullRecipients = 0, reliableRecipients = 0;
            if (_members.Count > _options.ParallelFanoutThreshold && Environment.ProcessorCount > 1)
            {
                Parallel.For(0, _members.ShardCount, shard =>
                {
                    var state = new FanoutState(full, reliableOnly);
                    _members.ForEachInShard(shard, ref state, OfferVisitor);
                    Interlocked.Add(ref fullRecipients, state.FullRecipients);
                    Interlocked.Add(ref reliableRecipients, state.ReliableRecipients);
                });
            }
            else
            {
                var state = new FanoutState(full, reliableOnly);
                for (var shard = 0; shard < _members.ShardCount; shard++)
                {
                    _members.ForEachInShard(shard, ref state, OfferVisitor);
                }

                fullRecipients = state.FullRecipients;
                reliableRecipients = state.ReliableRecipients;
            }

            _metrics.Delivered(full.Counts, fullRecipients, fullRecipients, fullRecipients * full.Length);
            if (reliableOnly is not null && !ReferenceEquals(reliableOnly, full))
            {
                _metrics.Delivered(reliableOnly.Counts, reliableRecipients, reliableRecipients, reliableRecipients * reliableOnly.Length);
            }
        }
        finally
        {
            full.Release();
            if (reliableOnly is not null && !ReferenceEquals(reliableOnly, full))
            {
                reliableOnly.Release();
            }
        }
    }

    // Under _pendingGate: what the order released goes to the pending tick. A ban takes effect in the flush that
    // delivers its event (one missed during a bus outage and read back by a repair included).
    private void ReleaseLocked()
    {
        if (_released.Count > 0)
        {
            foreach (var e in _released)
            {
                _pending.Add(e);
                if (e.Lane == Lane.System && RoomEventJson.TryReadEnvelope(e.Json.Span, out var envelope)
                    && ReferenceEquals(envelope.Type, RoomEventTypes.Ban) && RoomEventJson.TryReadModerationUserId(e.Json.Span, out var userId))
                {
                    (_bans ??= new List<string>(1)).Add(userId);
                }
            }

            _released.Clear();
            ScheduleLocked();
        }

        WatchGapLocked();
    }

    // Under _pendingGate. A new gap starts the clock: after ReorderWaitMs the gap is read back from history, and
    // read again every ReorderWaitMs until it fills or GapGiveUpMs passes.
    private void WatchGapLocked()
    {
        var missing = _order.MissingSeq;
        if (missing == _gapSeq || _disposed)
        {
            return;
        }

        _gapSeq = missing;
        if (missing != 0)
        {
            _gapSinceMs = Environment.TickCount64;
            _gapTimer.Change(_options.ReorderWaitMs, Timeout.Infinite);
        }
    }

    private void OnGapTimer()
    {
        lock (_pendingGate)
        {
            if (_disposed || _gapSeq == 0 || _order.MissingSeq != _gapSeq)
            {
                return;
            }

            if (Environment.TickCount64 - _gapSinceMs >= _options.GapGiveUpMs)
            {
                _metrics.ReliableGapSkipped(_order.SkipGap(_released));
                ReleaseLocked();
                return;
            }

            _gapTimer.Change(_options.ReorderWaitMs, Timeout.Infinite);
        }

        _metrics.ReliableGapRepair();
        GapRepair?.Invoke(this);
    }

    // After the tick's frames were offered: the room (the banned user included, if it reads fast enough) has the
    // ban event. A streamer or moderator of this room is never closed: their role comes from a signed token, and
    // RoomService ignores a ban of them too. Walks the room once per ban tick, which is rare.
    private void CloseBanned(List<string> userIds)
    {
        var state = new BanState(userIds, RoomId, new List<RoomMember>());
        for (var shard = 0; shard < _members.ShardCount; shard++)
        {
            _members.ForEachInShard(shard, ref state, BanVisitor);
        }

        foreach (var member in state.Found)
        {
            _metrics.BanClosed();
            _ = member.CloseAsync($"{ErrorCodes.Banned}: you are banned from room {RoomId}", allowReconnect: false);
        }
    }

    private readonly record struct BanState(List<string> UserIds, string RoomId, List<RoomMember> Found);

    // Under _pendingGate.
    private void ScheduleLocked()
    {
        if (_flushScheduled || _disposed)
        {
            return;
        }

        _flushScheduled = true;
        if (_flushRunning)
        {
            return; // rescheduled when the running flush ends
        }

        var dueIn = _lastFlushMs + _options.TickFor(_members.Count) - Environment.TickCount64;
        if (dueIn <= 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_flushCallback, null, preferLocal: false);
        }
        else
        {
            _timer.Change(dueIn, Timeout.Infinite);
        }
    }

    private struct FanoutState(RoomFrame full, RoomFrame? reliableOnly)
    {
        public readonly RoomFrame Full = full;
        public readonly RoomFrame? ReliableOnly = reliableOnly;
        public long FullRecipients;
        public long ReliableRecipients;
    }

    // The likes of one tick, summed into one event. A single like event passes through as it came. The sum carries
    // the stream clock stamp of its latest like (highest id), so a player releases it with the video, not at once.
    private readonly record struct LikeTotal(
        int Events, long Likes, long MaxId, long MaxServerTs, ReadOnlyMemory<byte> First, long? StreamTs = null, long? StreamEpoch = null)
    {
        public LikeTotal Add(ReadOnlyMemory<byte> json, EventEnvelope e) => new(
            Events + 1, Likes + e.Likes, Math.Max(MaxId, e.Id), Math.Max(MaxServerTs, e.ServerTs), Events == 0 ? json : First,
            Events == 0 || e.Id > MaxId ? e.StreamTs : StreamTs,
            Events == 0 || e.Id > MaxId ? e.StreamEpoch : StreamEpoch);

        public TickEvent ToEvent(string roomId) => Events == 1
            ? new TickEvent(First, null, Lane.Like, MaxServerTs)
            : new TickEvent(RoomEventJson.Serialize(new RoomEvent
            {
                RoomId = roomId, Id = MaxId, Lane = Lane.Like, Type = RoomEventTypes.Likes,
                Likes = (int)Math.Min(int.MaxValue, Likes), ServerTs = MaxServerTs, StreamTs = StreamTs, StreamEpoch = StreamEpoch,
            }), null, Lane.Like, MaxServerTs);
    }
}
