namespace LiveIm.RoomService.Stores;

/// <summary>An event that took its id and stream clock stamp in the store.</summary>
/// <param name="Id">The room-unique event id.</param>
/// <param name="Json">The wire JSON, as published (and stored for replay when the room has a clock).</param>
public sealed record StampedEvent(long Id, byte[] Json);
