using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

/// <summary>
/// Holds room events until the player's playback reaches their stream time, so that chat and gifts appear in time with
/// the video a viewer watches seconds behind the live edge. Feed it events (<see cref="Add(IReadOnlyList{RoomEvent})"/>,
/// from the connection's thread) and the playback position (<see cref="UpdatePosition"/> every player tick,
/// <see cref="Seek"/> when the user seeks, from the player's thread); take what it releases from
/// <see cref="Released"/> or <see cref="TakeReleased"/>. The whole algorithm, precisely: docs/alignment.md.
/// </summary>
/// <remarks>
/// One lock guards the state; the work under it is a heap operation per event. Releases are queued under the lock and
/// handed to <see cref="Released"/> outside it, one at a time and in order, whichever thread produced them (see
/// PlaybackAligner.Delivery.cs), so a handler may call back into the aligner.
/// </remarks>
public sealed partial class PlaybackAligner : IDisposable
{
    private readonly object _gate = new();
    private readonly PlaybackAlignerOptions _options;
    private readonly PriorityQueue<RoomEvent, HeldKey> _held = new(HeldKey.Comparer);

    // Ids of held events: a duplicate that arrives while the first copy waits is dropped at once.
    private readonly HashSet<long> _heldIds = [];
    private readonly ReleasedIds _released;
    private PlaybackPosition? _position;

    // The furthest position playback has reached (a seek backward does not lower it): the end of a replay window.
    private PlaybackPosition? _furthest;
    private long _arrivals;

    private long _received;
    private long _replayed;
    private long _duplicates;
    private long _releasedDue;
    private long _releasedEarly;
    private long _releasedSkipped;
    private long _replayRequests;
    private long _replayFailures;

    /// <summary>Creates an aligner; <paramref name="options"/> null takes the defaults.</summary>
    public PlaybackAligner(PlaybackAlignerOptions? options = null)
    {
        _options = options ?? new PlaybackAlignerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxHeld, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.ForwardSeekThresholdMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.BackwardSeekThresholdMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.RememberedIds, nameof(options));
        _released = new ReleasedIds(_options.RememberedIds);
    }

    /// <summary>The playback position the aligner works with (null until the first one).</summary>
    public PlaybackPosition? Position
    {
        get
        {
            lock (_gate)
            {
                return _position;
            }
        }
    }

    /// <summary>Events waiting for playback.</summary>
    public int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>A snapshot of the counters.</summary>
    public AlignerStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new AlignerStats(_held.Count, _received, _replayed, _duplicates, _releasedDue, _releasedEarly,
                    _releasedSkipped, _replayRequests, _replayFailures);
            }
        }
    }

    /// <summary>
    /// Takes a batch of live events (e.g. from <c>RoomClient.EventsReceived</c>). Events without a clock, of an epoch
    /// older than playback's, or at or before the playback position are released at once (in arrival order); the rest
    /// are held. A duplicate id is dropped. Past <see cref="PlaybackAlignerOptions.MaxHeld"/> the oldest held are
    /// released early.
    /// </summary>
    public void Add(IReadOnlyList<RoomEvent> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            Take(batch, replayed: false, ReleaseKind.Due);
        }

        Deliver();
    }

    /// <summary>Takes one live event (see <see cref="Add(IReadOnlyList{RoomEvent})"/>).</summary>
    public void Add(RoomEvent roomEvent) => Add([roomEvent]);

    /// <summary>
    /// The player's position at a tick (every 100-250 ms). Releases what became due. A jump forward of more than
    /// <see cref="PlaybackAlignerOptions.ForwardSeekThresholdMs"/> within an epoch is a seek: what it passes is
    /// released as one <see cref="ReleaseKind.Skipped"/> batch. A step back of more than
    /// <see cref="PlaybackAlignerOptions.BackwardSeekThresholdMs"/>, or into an older epoch, is a seek backward (a
    /// replay is fetched, see <see cref="PendingReplay"/>); a smaller step back is ignored. Entering a newer epoch is
    /// the stream restarting: the older epochs' held events are due (and if playback had been in that epoch before a
    /// seek back, what it had seen there is replayed).
    /// </summary>
    public void UpdatePosition(PlaybackPosition position)
    {
        ReplayRequest? replay = null;
        lock (_gate)
        {
            if (_position is not { } previous)
            {
                MoveTo(position, ReleaseKind.Due);
            }
            else if (position.Epoch > previous.Epoch)
            {
                replay = EnterLaterEpoch(position, ReleaseKind.Due);
            }
            else if (position.Epoch < previous.Epoch)
            {
                replay = SeekBackward(position);
            }
            else
            {
                // Int128: positions are the player's numbers; a difference of two longs can overflow a long.
                var step = (Int128)position.StreamMs - previous.StreamMs;
                if (step > _options.ForwardSeekThresholdMs)
                {
                    MoveTo(position, ReleaseKind.Skipped);
                }
                else if (step >= 0)
                {
                    MoveTo(position, ReleaseKind.Due);
                }
                else if (-step > _options.BackwardSeekThresholdMs)
                {
                    replay = SeekBackward(position);
                }

                // else: jitter backwards; playback stays where it was (what was released stays released).
            }
        }

        StartReplay(replay);
        Deliver();
    }

    /// <summary>
    /// The user sought to <paramref name="position"/> (no thresholds). Forward: everything held up to it is released as
    /// one <see cref="ReleaseKind.Skipped"/> batch. Backward: a new pass begins; the replay source is asked for the
    /// events of [position, furthest position playback reached] in the position's epoch (to the end of the epoch when
    /// playback had reached a later one), which are held and released again as playback moves on; a replay still being
    /// fetched is abandoned (the new window covers it). The task completes when the replay (if any) has been merged or
    /// has failed; it never faults because of the replay source (failures go to <see cref="ReplayFailed"/>).
    /// </summary>
    public Task Seek(PlaybackPosition position)
    {
        ReplayRequest? replay = null;
        lock (_gate)
        {
            if (_position is not { } previous)
            {
                MoveTo(position, ReleaseKind.Due);
            }
            else if (position.Epoch > previous.Epoch)
            {
                replay = EnterLaterEpoch(position, ReleaseKind.Skipped);
            }
            else if (position > previous)
            {
                MoveTo(position, ReleaseKind.Skipped);
            }
            else if (position < previous)
            {
                replay = SeekBackward(position);
            }
        }

        var task = StartReplay(replay);
        Deliver();
        return task;
    }

    /// <summary>
    /// Releases everything held now, in stream order, as <see cref="ReleaseKind.Early"/> (leaving the room, closing the
    /// player: nothing held is ever dropped silently).
    /// </summary>
    public void Flush()
    {
        lock (_gate)
        {
            List<RoomEvent>? early = null;
            while (_held.TryDequeue(out var e, out _))
            {
                ReleaseHeld(ref early, e);
            }

            Queue(early, ReleaseKind.Early);
        }

        Deliver();
    }

    /// <summary>Abandons a replay being fetched. Events held stay held (call <see cref="Flush"/> to release them).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            CancelReplay();
        }
    }

    // Adds events under the lock: the one path for live and replayed events, so both obey the same rules. Events due
    // at once go out as dueKind (Skipped for replayed events that a seek forward passed while they were fetched).
    private void Take(IReadOnlyList<RoomEvent> batch, bool replayed, ReleaseKind dueKind)
    {
        List<RoomEvent>? due = null;
        foreach (var e in batch)
        {
            if (e is null)
            {
                continue;
            }

            if (replayed)
            {
                _replayed++;
            }
            else
            {
                _received++;
            }

            // Id 0 is the online count (a latest-value signal that always carries id 0) and ids are positive
            // otherwise: only positive ids identify an event.
            if (e.Id > 0 && (_heldIds.Contains(e.Id) || _released.Contains(e.Id)))
            {
                _duplicates++;
                continue;
            }

            // No place on the timeline: no clock, or (hostile) a clock without its epoch.
            if (e.StreamTs is not { } streamTs || e.StreamEpoch is not { } epoch)
            {
                (due ??= []).Add(e);
                Remember(e);
                continue;
            }

            var key = new HeldKey(epoch, streamTs, e.Id, ++_arrivals);
            if (_position is { } position && key.IsDueAt(position))
            {
                (due ??= []).Add(e);
                Remember(e);
                continue;
            }

            _held.Enqueue(e, key);
            if (e.Id > 0)
            {
                _heldIds.Add(e.Id);
            }
        }

        Queue(due, dueKind);

        // The bound: the oldest held are the next due anyway, so releasing them early misplaces them the least.
        List<RoomEvent>? early = null;
        while (_held.Count > _options.MaxHeld && _held.TryDequeue(out var e, out _))
        {
            ReleaseHeld(ref early, e);
        }

        Queue(early, ReleaseKind.Early);
    }

    // Moves playback forward to position and releases everything held up to it as one batch of the given kind.
    private void MoveTo(PlaybackPosition position, ReleaseKind kind)
    {
        _position = position;
        if (_furthest is not { } furthest || position > furthest)
        {
            _furthest = position;
        }

        if (kind == ReleaseKind.Skipped)
        {
            _skippedDuringReplay = true;
        }

        List<RoomEvent>? released = null;
        while (_held.TryPeek(out var e, out var next) && next.IsDueAt(position))
        {
            _held.Dequeue();
            ReleaseHeld(ref released, e);
        }

        Queue(released, kind);
    }

    private void ReleaseHeld(ref List<RoomEvent>? into, RoomEvent e)
    {
        if (e.Id > 0)
        {
            _heldIds.Remove(e.Id);
        }

        (into ??= []).Add(e);
        Remember(e);
    }

    private void Remember(RoomEvent e)
    {
        if (e.Id > 0)
        {
            _released.Remember(e.Id, e.StreamEpoch, e.StreamTs);
        }
    }
}
