namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// One connection's limiter state, created on its first hub call (a viewer that never calls costs nothing) and
/// dropped when it disconnects (<see cref="LimitsHubFilter.OnDisconnectedAsync"/>). 80 bytes or so: one
/// <see cref="TokenBucket"/> state per <see cref="CallKind"/> (8 bytes each, so all kinds are allocated together: a
/// lazily created object per kind would cost more than the six longs), the in-flight count and the flood bucket.
/// </summary>
internal sealed class ConnectionLimits
{
    private readonly long[] _buckets = new long[CallKinds.Count];
    private long _strikes;
    private int _pending;
    private int _flooded;

    /// <summary>The state of the bucket of <paramref name="kind"/>, for <see cref="TokenBucket.TryTake"/>.</summary>
    public ref long Bucket(CallKind kind) => ref _buckets[(int)kind];

    /// <summary>The flood bucket's state: a strike takes a token; none left means flood.</summary>
    public ref long Strikes => ref _strikes;

    /// <summary>Counts a call in; false (and not counted) when <paramref name="max"/> are already in flight.</summary>
    public bool TryBeginCall(int max)
    {
        if (Interlocked.Increment(ref _pending) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _pending);
        return false;
    }

    /// <summary>Counts a call out.</summary>
    public void EndCall() => Interlocked.Decrement(ref _pending);

    /// <summary>True the first time only: the flood close happens once.</summary>
    public bool MarkFlooded() => Interlocked.Exchange(ref _flooded, 1) == 0;
}
