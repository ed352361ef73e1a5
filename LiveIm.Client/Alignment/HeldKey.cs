namespace LiveIm.Client.Alignment;

/// <summary>
/// The order in which held events are released: epoch, then stream time, then id; arrival breaks the last ties
/// (events with id 0, the online count) so that the order never depends on the heap's internals.
/// </summary>
internal readonly record struct HeldKey(long Epoch, long StreamTs, long Id, long Arrival)
{
    public static readonly IComparer<HeldKey> Comparer = Comparer<HeldKey>.Create(static (a, b) =>
    {
        var c = a.Epoch.CompareTo(b.Epoch);
        if (c != 0)
        {
            return c;
        }

        c = a.StreamTs.CompareTo(b.StreamTs);
        if (c != 0)
        {
            return c;
        }

        c = a.Id.CompareTo(b.Id);
        return c != 0 ? c : a.Arrival.CompareTo(b.Arrival);
    });

    /// <summary>Due at <paramref name="position"/>: an older epoch, or the same epoch at or before its stream time.</summary>
    public bool IsDueAt(PlaybackPosition position) =>
        Epoch < position.Epoch || (Epoch == position.Epoch && StreamTs <= position.StreamMs);
}
