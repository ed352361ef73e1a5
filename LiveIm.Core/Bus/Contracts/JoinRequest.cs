namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Join"/>: the snapshot a joining member needs.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="LastSeq">The last reliable seq the client has; null for a fresh join (no history sent).</param>
/// <param name="GatewayId">The asking gateway (its own members are counted by itself, not from Redis).</param>
public sealed record JoinRequest(string RoomId, long? LastSeq, string GatewayId);
