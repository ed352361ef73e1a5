namespace LiveIm.RoomService.Stores;

/// <summary>The outcome of <see cref="IRoomStore.AppendReliableAsync"/>.</summary>
/// <param name="Id">Event id.</param>
/// <param name="Seq">Reliable-lane seq.</param>
/// <param name="Json">The event's wire JSON, as persisted.</param>
/// <param name="Duplicate">True when the idempotency key had been used: nothing new was written.</param>
/// <param name="Published">For a duplicate: whether the first attempt reached the bus.</param>
/// <param name="Refusal">Why nothing was appended (a new event only: a duplicate is never refused).</param>
/// <param name="RetryAfterMs">For <see cref="AppendRefusal.RoomRate"/>: when the room's gift rate allows one more.</param>
public sealed record ReliableAppend(
    long Id, long Seq, byte[] Json, bool Duplicate, bool Published, AppendRefusal Refusal = AppendRefusal.None, long RetryAfterMs = 0);
