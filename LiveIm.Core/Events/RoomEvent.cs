using System.Text.Json.Serialization;

namespace LiveIm.Core.Events;

/// <summary>
/// A room event as clients receive it in <c>events(batch)</c> and as it crosses the bus on
/// <c>liveim.room.&lt;roomId&gt;</c>: the same JSON both ways (see docs/protocol.md).
/// RoomService creates and stamps it; nobody else changes it.
/// </summary>
public sealed record RoomEvent
{
    /// <summary>The room.</summary>
    public required string RoomId { get; init; }

    /// <summary>Unique in the room and increasing (all lanes share one counter).</summary>
    public long Id { get; init; }

    /// <summary>Reliable lane only: contiguous per room from 1. Null on the other lanes.</summary>
    public long? Seq { get; init; }

    /// <summary>One of <see cref="Events.Lane"/>.</summary>
    public required string Lane { get; init; }

    /// <summary>One of <see cref="RoomEventTypes"/>.</summary>
    public required string Type { get; init; }

    /// <summary>Sender; null for events the room itself emits (online counts).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EventSender? From { get; init; }

    /// <summary>Chat text.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    /// <summary>Gift details.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public GiftInfo? Gift { get; init; }

    /// <summary>Number of likes this event carries.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Likes { get; init; }

    /// <summary>Moderation events: the target and parameters of the action.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModerationInfo? Moderation { get; init; }

    /// <summary>Online count of the room.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Online { get; init; }

    /// <summary>Milliseconds since the Unix epoch, stamped by RoomService.</summary>
    public long ServerTs { get; init; }

    /// <summary>Stream timeline milliseconds; null while the room has no stream clock.</summary>
    public long? StreamTs { get; init; }

    /// <summary>
    /// Which stream session <see cref="StreamTs"/> belongs to: a new epoch begins when the stream's clock jumps (the
    /// stream restarted, the encoder reset its clock). Null exactly when <see cref="StreamTs"/> is.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? StreamEpoch { get; init; }
}
