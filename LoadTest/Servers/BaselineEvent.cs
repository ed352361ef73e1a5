using System.Text.Json.Serialization;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// The baseline's room event: the same JSON shape and field names as LiveIm's (docs/protocol.md), serialized by
/// SignalR's JSON protocol (System.Text.Json, camelCase) like any hub argument.
/// </summary>
/// <param name="RoomId">The room.</param>
/// <param name="Id">A per-room counter.</param>
/// <param name="Seq">Gifts: a per-room counter; null for chat.</param>
/// <param name="Lane"><c>chat</c> or <c>gift</c>.</param>
/// <param name="Type"><c>chat</c> or <c>gift</c>.</param>
/// <param name="From">The sender.</param>
/// <param name="Text">Chat text.</param>
/// <param name="Gift">Gift details.</param>
/// <param name="ServerTs">Milliseconds since the Unix epoch.</param>
/// <param name="StreamTs">Always null (no stream clock).</param>
public sealed record BaselineEvent(
    string RoomId,
    long Id,
    long? Seq,
    string Lane,
    string Type,
    BaselineEvent.Sender From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BaselineEvent.GiftInfo? Gift,
    long ServerTs,
    long? StreamTs)
{
    /// <summary>Who sent it.</summary>
    public sealed record Sender(string UserId, string Name, string Role);

    /// <summary>What was given.</summary>
    public sealed record GiftInfo(string GiftId, int Count);
}
