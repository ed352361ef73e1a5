namespace LiveIm.RoomService.Stores;

/// <summary>A read of the reliable-lane history.</summary>
/// <param name="CurrentSeq">The room's seq at the time of the read.</param>
/// <param name="Events">Events in seq order as wire JSON, each with its seq.</param>
public sealed record HistorySlice(long CurrentSeq, IReadOnlyList<(long Seq, byte[] Json)> Events)
{
    /// <summary>
    /// True when the events continue right after <paramref name="afterSeq"/> and reach the current seq,
    /// i.e. nothing in the gap was trimmed away or cut by the limit.
    /// </summary>
    public bool Covers(long afterSeq)
    {
        if (afterSeq >= CurrentSeq)
        {
            return afterSeq == CurrentSeq;
        }

        return Events.Count > 0 && Events[0].Seq == afterSeq + 1 && Events[^1].Seq == CurrentSeq;
    }
}
