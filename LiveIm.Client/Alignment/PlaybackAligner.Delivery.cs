using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

// Releases leave through one queue, whichever thread produced them (events on the connection's thread, positions on
// the player's): a handler sees them one at a time and in the order they were made, never under the lock.
public sealed partial class PlaybackAligner
{
    private readonly Queue<AlignedRelease> _outbox = new();
    private bool _delivering;

    /// <summary>
    /// Raised for each release, in order, one at a time, on the thread whose call produced it (or on the thread already
    /// delivering). Do not block in it. While nobody subscribes, releases wait for <see cref="TakeReleased"/>. An
    /// exception thrown here propagates to the call that delivered it; the releases after it go out on the next call.
    /// </summary>
    public event Action<AlignedRelease>? Released;

    /// <summary>
    /// The releases nobody has taken yet (the pull alternative to <see cref="Released"/>: a player calls it after
    /// <see cref="UpdatePosition"/> on its own thread). Empty when a <see cref="Released"/> handler takes them.
    /// </summary>
    public IReadOnlyList<AlignedRelease> TakeReleased()
    {
        lock (_gate)
        {
            if (_outbox.Count == 0)
            {
                return [];
            }

            var taken = _outbox.ToArray();
            _outbox.Clear();
            return taken;
        }
    }

    // Under the lock: counts and queues one batch.
    private void Queue(List<RoomEvent>? events, ReleaseKind kind)
    {
        if (events is not { Count: > 0 })
        {
            return;
        }

        switch (kind)
        {
            case ReleaseKind.Due:
                _releasedDue += events.Count;
                break;
            case ReleaseKind.Early:
                _releasedEarly += events.Count;
                break;
            default:
                _releasedSkipped += events.Count;
                break;
        }

        _outbox.Enqueue(new AlignedRelease(events, kind));
    }

    // Outside the lock. _delivering makes delivery serial: a second thread (or a handler calling back into the
    // aligner) finds it set and leaves its releases to the thread already delivering, which loops until the queue is
    // empty.
    private void Deliver()
    {
        while (true)
        {
            Action<AlignedRelease>? handler;
            AlignedRelease? next;
            lock (_gate)
            {
                handler = Released;
                if (handler is null || _delivering || !_outbox.TryDequeue(out next))
                {
                    return;
                }

                _delivering = true;
            }

            try
            {
                handler(next);
            }
            finally
            {
                lock (_gate)
                {
                    _delivering = false;
                }
            }
        }
    }
}
