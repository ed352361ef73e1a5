namespace LiveIm.Core.Events;

/// <summary>
/// One page of RoomService's replay API (<c>GET /api/rooms/{roomId}/replay</c>): events of one stream epoch in stream
/// order (ties by id), and the cursor of the next page.
/// </summary>
/// <param name="RoomId">The room.</param>
/// <param name="Epoch">The stream epoch asked for.</param>
/// <param name="Events">The page's events, exactly as they were published.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null when the window has no more events.</param>
public sealed record ReplayPage(string RoomId, long Epoch, RoomEvent[] Events, string? NextCursor);
