namespace LiveIm.RoomService.Stores;

/// <summary>A room's stream clock as stored (docs/stream-clock.md).</summary>
/// <param name="Epoch">The current stream epoch.</param>
/// <param name="OffsetMs">Server ms minus stream ms: the minimum over the window.</param>
/// <param name="LastStreamMs">Stream time of the last accepted report.</param>
/// <param name="LastArrivalMs">Server time the last accepted report arrived.</param>
public sealed record ClockState(long Epoch, long OffsetMs, long LastStreamMs, long LastArrivalMs);
