using System.Text.Json;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="HistoryRequest"/>.</summary>
/// <param name="Seq">The room's current reliable seq.</param>
/// <param name="Complete">True when the events start right after the requested seq (nothing trimmed away).</param>
/// <param name="Events">Events in seq order, as their wire JSON.</param>
public sealed record HistoryReply(long Seq, bool Complete, IReadOnlyList<JsonElement> Events);
