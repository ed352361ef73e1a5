using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Join"/>: the snapshot a joining member needs.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="LastSeq">The last reliable seq the client has; null for a fresh join (no history sent).</param>
/// <param name="GatewayId">The asking gateway (its own members are counted by itself, not from Redis).</param>
/// <param name="From">
/// Who joins, with the role as it applies in the room; null for an anonymous viewer. RoomService refuses a banned
/// user (<c>banned</c>); a streamer or moderator of the room is never refused.
/// </param>
public sealed record JoinRequest(string RoomId, long? LastSeq, string GatewayId, EventSender? From = null);
