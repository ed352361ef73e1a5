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
/// <param name="LocalOnline">
/// The asking gateway's local member count of the room at the join, the joiner included, for RoomService to record as
/// that gateway's presence report (in the join's one presence script call) before it sums the others; null records
/// nothing (the gateway recorded the room's count moments ago and writes the next one itself). RoomService refuses a
/// value outside 1..<see cref="MaxLocalOnline"/> with <c>invalid_argument</c> and records nothing.
/// </param>
public sealed record JoinRequest(string RoomId, long? LastSeq, string GatewayId, EventSender? From = null, long? LocalOnline = null)
{
    /// <summary>The most members one gateway can hold (the upper bound of <c>Limits:MaxConnections</c>).</summary>
    public const long MaxLocalOnline = 10_000_000;
}
