namespace LiveIm.RoomService.Stores;

/// <summary>One page read from the replay store.</summary>
/// <param name="Events">Wire JSON of the events, in stream order (ties by id).</param>
/// <param name="NextAfter">Where the next page starts (strictly after this replay score); null when the window has no
/// more events.</param>
public sealed record ReplaySlice(IReadOnlyList<byte[]> Events, long? NextAfter);
