namespace LiveIm.RoomService.Stores;

/// <summary>A room's stream clock after one report (docs/stream-clock.md).</summary>
/// <param name="Epoch">The current stream epoch.</param>
/// <param name="OffsetMs">Server ms minus stream ms: the minimum over the window.</param>
/// <param name="NewEpoch">True when this report began the epoch.</param>
public sealed record ClockUpdate(long Epoch, long OffsetMs, bool NewEpoch);
