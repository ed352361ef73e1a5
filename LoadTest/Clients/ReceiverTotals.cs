namespace LiveIm.LoadTest.Clients;

/// <summary>The receivers' counters summed at one moment.</summary>
/// <param name="Frames">Event frames.</param>
/// <param name="Chat">Chat events.</param>
/// <param name="Gifts">Gift events.</param>
/// <param name="Other">Like and system events.</param>
/// <param name="Bytes">Payload bytes.</param>
/// <param name="UnreadableGifts">Gift events without a readable id.</param>
/// <param name="Live">Receivers joined and connected.</param>
public sealed record ReceiverTotals(long Frames, long Chat, long Gifts, long Other, long Bytes, long UnreadableGifts, int Live)
{
    /// <summary>All events: the deliveries (one per recipient per event).</summary>
    public long Events => Chat + Gifts + Other;
}
