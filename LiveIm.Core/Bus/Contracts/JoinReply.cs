using System.Text.Json;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="JoinRequest"/>.</summary>
/// <param name="Seq">The room's current reliable seq.</param>
/// <param name="Recovered">True when <see cref="Events"/> covers the whole gap after the requested lastSeq.</param>
/// <param name="OnlineElsewhere">Members reported by the other gateways (the asking one adds its own at the join).</param>
/// <param name="ServerTime">RoomService time, ms since the Unix epoch.</param>
/// <param name="Events">Reliable events after lastSeq, in seq order, as their wire JSON.</param>
public sealed record JoinReply(long Seq, bool Recovered, long OnlineElsewhere, long ServerTime, IReadOnlyList<JsonElement> Events);
