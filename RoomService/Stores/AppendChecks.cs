using LiveIm.RoomService.Limits;

namespace LiveIm.RoomService.Stores;

/// <summary>
/// What a gift's append checks in the same atomic step, after its idempotency record: the sender's ban and the
/// room's gift rate.
/// </summary>
/// <param name="UserId">The sender.</param>
/// <param name="Privileged">A streamer or moderator of the room: never banned.</param>
/// <param name="NowMs">The time of the decision (passed in: the script stays deterministic).</param>
/// <param name="RoomRate">The room's gift rate (off = no room rate).</param>
public sealed record AppendChecks(string UserId, bool Privileged, long NowMs, RateLimit RoomRate);
