using LiveIm.Core.Rooms;

namespace LiveIm.Core.Bus;

/// <summary>
/// Every NATS subject LiveIm uses, in one place (docs/protocol.md, "The bus").
/// Room events: <c>liveim.room.&lt;roomId&gt;</c>, published once by RoomService, subscribed by interest by gateways.
/// Requests from gateways to RoomService: <c>liveim.svc.*</c>, served by the queue group <see cref="ServiceQueueGroup"/>.
/// </summary>
public static class Subjects
{
    /// <summary>Prefix of room event subjects.</summary>
    public const string RoomPrefix = "liveim.room.";

    /// <summary>Queue group of RoomService instances: each request is handled by exactly one.</summary>
    public const string ServiceQueueGroup = "liveim-roomservice";

    /// <summary>Request: send a chat line.</summary>
    public const string Chat = "liveim.svc.chat";

    /// <summary>Request: send a gift (idempotent by client message id).</summary>
    public const string Gift = "liveim.svc.gift";

    /// <summary>Request: send likes.</summary>
    public const string Like = "liveim.svc.like";

    /// <summary>Request: join snapshot (current seq, online count, history after lastSeq).</summary>
    public const string Join = "liveim.svc.join";

    /// <summary>Request: reliable-lane history after a seq (gateway repair after a bus outage).</summary>
    public const string History = "liveim.svc.history";

    /// <summary>Request: a moderation action (mute, unmute, ban, unban, slow mode, delete) by a streamer or moderator.</summary>
    public const string Moderate = "liveim.svc.moderate";

    /// <summary>
    /// Request: a stream clock report (<c>ReportStreamClock</c>) by the room's streamer: the stream time current when it
    /// was sent. RoomService checks the role again and moves the room's clock (docs/stream-clock.md).
    /// </summary>
    public const string Clock = "liveim.svc.clock";

    /// <summary>The subject of a room's events. Throws for an invalid room id, so no caller can build a wildcard.</summary>
    public static string Room(string roomId)
    {
        if (!RoomIds.IsValid(roomId))
        {
            throw new ArgumentException($"'{roomId}' is not a valid room id.", nameof(roomId));
        }

        return RoomPrefix + roomId;
    }
}
