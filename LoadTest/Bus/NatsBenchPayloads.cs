using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Events;
using LiveIm.Core.Rooms;
using LiveIm.Core.Serialization;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// The bytes <c>LoadTest nats</c> puts on the bus, made by LiveIm's own serializers so they are the sizes LiveIm
/// sends: per room a chat event as RoomService publishes it (<see cref="RoomEventJson"/>), the gateway's chat request
/// (<see cref="ChatRequest"/>) and one reply (<see cref="ChatReply"/>). nats-server never looks inside a payload, so
/// every message of a room carries the same bytes; only the sizes matter.
/// </summary>
internal sealed class NatsBenchPayloads
{
    /// <summary>Room ids are <c>room-000042</c>: six digits for up to <see cref="NatsBenchOptions.MaxRooms"/> rooms, so every room's event has the same size.</summary>
    public const string RoomIdPrefix = "room-";

    private static readonly EventSender Sender = new("u-0000000042", "viewer 42", "viewer");

    public NatsBenchPayloads(int rooms, int eventBytes)
    {
        var textLength = eventBytes - EventOverhead;
        if (textLength is < 1 or > ChatText.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(eventBytes), eventBytes, $"a chat event is {MinEventBytes}..{MaxEventBytes} bytes");
        }

        var text = new string('x', textLength);
        RoomSubjects = new string[rooms];
        Events = new ReadOnlyMemory<byte>[rooms];
        Requests = new ReadOnlyMemory<byte>[rooms];
        for (var i = 0; i < rooms; i++)
        {
            var roomId = RoomId(i);
            RoomSubjects[i] = Subjects.Room(roomId);
            Events[i] = Event(roomId, text);
            Requests[i] = JsonSerializer.SerializeToUtf8Bytes(new ChatRequest(roomId, Sender, text), LiveImJson.Default.ChatRequest);
        }

        Reply = JsonSerializer.SerializeToUtf8Bytes(BusReply<ChatReply>.Ok(new ChatReply(1_234_567, ChatReply.Ok)), LiveImJson.Default.BusReplyChatReply);
    }

    /// <summary>Bytes of a chat event around its text (the event with a 0-character text).</summary>
    public static int EventOverhead { get; } = Event(RoomId(0), string.Empty).Length;

    /// <summary>The smallest event: a 1-character chat line.</summary>
    public static int MinEventBytes => EventOverhead + 1;

    /// <summary>The largest event: a chat line of <see cref="ChatText.MaxLength"/> characters, the most LiveIm accepts.</summary>
    public static int MaxEventBytes => EventOverhead + ChatText.MaxLength;

    /// <summary><c>liveim.room.&lt;roomId&gt;</c> per room.</summary>
    public string[] RoomSubjects { get; }

    /// <summary>The room event per room.</summary>
    public ReadOnlyMemory<byte>[] Events { get; }

    /// <summary>The chat request per room.</summary>
    public ReadOnlyMemory<byte>[] Requests { get; }

    /// <summary>RoomService's reply to a chat line it published.</summary>
    public ReadOnlyMemory<byte> Reply { get; }

    /// <summary>The id of room <paramref name="index"/>.</summary>
    public static string RoomId(int index) => RoomIdPrefix + index.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The room index of a chat request made here (its first field is <c>"roomId"</c>), or -1.</summary>
    public static int RoomIndex(in ReadOnlySequence<byte> request)
    {
        try
        {
            return ReadRoomIndex(request);
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static int ReadRoomIndex(in ReadOnlySequence<byte> request)
    {
        var reader = new Utf8JsonReader(request);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject || !reader.Read() || !reader.ValueTextEquals("roomId"u8)
            || !reader.Read() || reader.TokenType != JsonTokenType.String)
        {
            return -1;
        }

        // A payload may span two of the client's receive buffers; then so may the id (rarely: copy it).
        var id = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        return id.Length > RoomIdPrefix.Length && id.StartsWith("room-"u8)
            && Utf8Parser.TryParse(id[RoomIdPrefix.Length..], out int index, out var consumed) && consumed == id.Length - RoomIdPrefix.Length
            ? index
            : -1;
    }

    private static byte[] Event(string roomId, string text)
    {
        // A chat line as RoomService stamps it: best-effort lane (seq null), a sender, and a stream clock.
        var e = new RoomEvent
        {
            RoomId = roomId,
            Lane = Lane.Chat,
            Type = RoomEventTypes.Chat,
            From = Sender,
            Text = text,
            ServerTs = 1_763_740_000_000,
            StreamTs = 754_210,
            StreamEpoch = 1_763_739_245_790,
        };
        return RoomEventJson.Compose(RoomEventJson.Head(roomId), 1_234_567, null, RoomEventJson.Tail(e));
    }
}
