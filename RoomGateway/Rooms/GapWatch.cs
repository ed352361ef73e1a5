namespace LiveIm.RoomGateway.Rooms;

/// <summary>What the gap timer found when it fired.</summary>
internal enum GapStep
{
    /// <summary>The gap filled, or another one is watched now: nothing to do.</summary>
    None,

    /// <summary>Read the gap back from history (the timer fires again after the reorder wait).</summary>
    Repair,

    /// <summary>History was asked and the give-up time passed: skip the missing seqs.</summary>
    GiveUp,
}

/// <summary>
/// The clock of a room's missing reliable seq (<see cref="ReliableOrder.MissingSeq"/>): a new gap starts it; after
/// <see cref="Delivery.FanoutOptions.ReorderWaitMs"/> the gap is read back from history, and read again every wait
/// until it fills or <see cref="Delivery.FanoutOptions.GapGiveUpMs"/> passes. A gap is given up only after history
/// was asked for it at least once, even when the timer first fires after the give-up time (a busy machine).
/// Calls are made under the room's lock.
/// </summary>
internal sealed class GapWatch : IDisposable
{
    private readonly Timer _timer;
    private readonly int _waitMs;
    private readonly int _giveUpMs;
    private long _seq;
    private long _sinceMs;
    private bool _asked;

    /// <param name="fired">Called on a timer thread when the wait is over; it takes the room's lock and calls <see cref="Fire"/>.</param>
    public GapWatch(int waitMs, int giveUpMs, Action fired)
    {
        _waitMs = waitMs;
        _giveUpMs = giveUpMs;
        _timer = new Timer(static state => ((Action)state!)(), fired, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The room's missing seq is now <paramref name="missing"/> (0: none); a new one starts the clock.</summary>
    public void Watch(long missing)
    {
        if (missing == _seq)
        {
            return;
        }

        _seq = missing;
        if (missing != 0)
        {
            _sinceMs = Environment.TickCount64;
            _asked = false;
            _timer.Change(_waitMs, Timeout.Infinite);
        }
    }

    /// <summary>What to do now that the timer fired, with the room's missing seq now <paramref name="missing"/>.</summary>
    public GapStep Fire(long missing)
    {
        if (_seq == 0 || missing != _seq)
        {
            return GapStep.None;
        }

        if (_asked && Environment.TickCount64 - _sinceMs >= _giveUpMs)
        {
            return GapStep.GiveUp;
        }

        _timer.Change(_waitMs, Timeout.Infinite);
        _asked = true;
        return GapStep.Repair;
    }

    public void Dispose() => _timer.Dispose();
}
