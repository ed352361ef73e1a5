using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using LiveIm.Core.Serialization;

namespace LiveIm.Core.Events;

/// <summary>
/// The wire JSON of a room event, built so that the <c>id</c> and <c>seq</c> can be filled in later by the
/// atomic Redis script that assigns them (RoomService persists and sequences in one step):
/// <c>{"roomId":"r"</c> (head) + <c>,"id":N,"seq":S</c> + <c>,"lane":...}</c> (tail).
/// </summary>
public static class RoomEventJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = false };

    /// <summary>The head: <c>{"roomId":"&lt;roomId&gt;"</c>.</summary>
    public static byte[] Head(string roomId)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("roomId"u8, roomId);
            writer.WriteEndObject();
        }

        // Drop the closing brace: {"roomId":"r"}  ->  {"roomId":"r"
        return buffer.WrittenSpan[..^1].ToArray();
    }

    /// <summary>
    /// The tail: every field after <c>seq</c>, starting with a comma and ending with the closing brace: the
    /// <see cref="OpenTail"/> and the stream clock fields of <paramref name="e"/> (<see cref="ClockFields"/>).
    /// </summary>
    public static byte[] Tail(RoomEvent e)
    {
        var open = OpenTail(e);
        var clock = ClockFields(e.StreamTs, e.StreamEpoch);
        var tail = new byte[open.Length + clock.Length];
        open.CopyTo(tail, 0);
        clock.CopyTo(tail, open.Length);
        return tail;
    }

    /// <summary>
    /// The stream clock fields that close an event: <c>,"streamTs":T,"streamEpoch":E}</c>, or <c>,"streamTs":null}</c>
    /// without a clock. RoomService's stamping scripts write the same bytes (lib/clock.lua), from the clock they read.
    /// </summary>
    public static byte[] ClockFields(long? streamTs, long? streamEpoch) =>
        System.Text.Encoding.UTF8.GetBytes(streamTs is { } ts && streamEpoch is { } epoch
            ? $",\"streamTs\":{ts.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"streamEpoch\":{epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"
            : ",\"streamTs\":null}");

    /// <summary>
    /// The open tail: every field after <c>seq</c> up to and including <c>serverTs</c>, starting with a comma and
    /// without the closing brace. RoomService's scripts close it with the stream clock fields of the clock they read
    /// when they stamp the event (<see cref="ClockFields"/>), so the clock costs no extra round trip.
    /// </summary>
    public static byte[] OpenTail(RoomEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("lane"u8, e.Lane);
            writer.WriteString("type"u8, e.Type);
            if (e.From is { } from)
            {
                writer.WriteStartObject("from"u8);
                writer.WriteString("userId"u8, from.UserId);
                writer.WriteString("name"u8, from.Name);
                writer.WriteString("role"u8, from.Role);
                writer.WriteEndObject();
            }

            if (e.Text is { } text)
            {
                writer.WriteString("text"u8, text);
            }

            if (e.Gift is { } gift)
            {
                writer.WriteStartObject("gift"u8);
                writer.WriteString("giftId"u8, gift.GiftId);
                writer.WriteNumber("count"u8, gift.Count);
                writer.WriteEndObject();
            }

            if (e.Likes is { } likes)
            {
                writer.WriteNumber("likes"u8, likes);
            }

            if (e.Moderation is { } moderation)
            {
                writer.WriteStartObject("moderation"u8);
                if (moderation.UserId is { } userId)
                {
                    writer.WriteString("userId"u8, userId);
                }

                if (moderation.Seconds is { } seconds)
                {
                    writer.WriteNumber("seconds"u8, seconds);
                }

                if (moderation.Until is { } until)
                {
                    writer.WriteNumber("until"u8, until);
                }

                if (moderation.MessageId is { } messageId)
                {
                    writer.WriteNumber("messageId"u8, messageId);
                }

                writer.WriteEndObject();
            }

            if (e.Online is { } online)
            {
                writer.WriteNumber("online"u8, online);
            }

            writer.WriteNumber("serverTs"u8, e.ServerTs);
            writer.WriteEndObject();
        }

        // {"lane":...,"serverTs":N}  ->  ,"lane":...,"serverTs":N
        var written = buffer.WrittenSpan;
        var tail = new byte[written.Length - 1];
        tail[0] = (byte)',';
        written[1..^1].CopyTo(tail.AsSpan(1));
        return tail;
    }

    /// <summary>Joins head, id, seq (null for the best-effort lanes) and tail into the full event JSON.</summary>
    public static byte[] Compose(ReadOnlySpan<byte> head, long id, long? seq, ReadOnlySpan<byte> tail)
    {
        Span<byte> middle = stackalloc byte[64];
        var n = 0;
        n += Copy(",\"id\":"u8, middle[n..]);
        Utf8Formatter.TryFormat(id, middle[n..], out var w);
        n += w;
        n += Copy(",\"seq\":"u8, middle[n..]);
        if (seq is { } s)
        {
            Utf8Formatter.TryFormat(s, middle[n..], out w);
            n += w;
        }
        else
        {
            n += Copy("null"u8, middle[n..]);
        }

        var result = new byte[head.Length + n + tail.Length];
        head.CopyTo(result);
        middle[..n].CopyTo(result.AsSpan(head.Length));
        tail.CopyTo(result.AsSpan(head.Length + n));
        return result;
    }

    /// <summary>The full wire JSON of an event.</summary>
    public static byte[] Serialize(RoomEvent e) => Compose(Head(e.RoomId), e.Id, e.Seq, Tail(e));

    /// <summary>Parses an event (clients, tests). Throws <see cref="JsonException"/> on malformed input.</summary>
    public static RoomEvent Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, LiveImJson.Default.RoomEvent) ?? throw new JsonException("null event");

    /// <summary>
    /// Reads the routing fields of an event's JSON (<c>id</c>, <c>seq</c>, <c>lane</c>, <c>type</c>, <c>likes</c>,
    /// <c>serverTs</c>, <c>streamTs</c>, <c>streamEpoch</c>) without materializing it or allocating: the gateway routes, de-duplicates and aggregates on
    /// these; the bytes pass through untouched. False for anything that is not one well-formed object of valid UTF-8
    /// with a known lane and an id.
    /// </summary>
    public static bool TryReadEnvelope(ReadOnlySpan<byte> json, out EventEnvelope envelope)
    {
        envelope = default;
        long id = 0, serverTs = 0;
        long? seq = null, streamTs = null, streamEpoch = null;
        string? lane = null, type = null;
        var likes = 0;
        var hasId = false;
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            return false; // the bytes go into frames verbatim: one bad string would make a whole frame unreadable
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("id"u8))
                {
                    reader.Read();
                    id = reader.GetInt64();
                    hasId = true;
                }
                else if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    seq = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
                }
                else if (reader.ValueTextEquals("lane"u8))
                {
                    reader.Read();
                    lane = reader.ValueTextEquals("gift"u8) ? Lane.Gift
                        : reader.ValueTextEquals("chat"u8) ? Lane.Chat
                        : reader.ValueTextEquals("like"u8) ? Lane.Like
                        : reader.ValueTextEquals("system"u8) ? Lane.System
                        : null;
                    if (lane is null)
                    {
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.ValueTextEquals("chat"u8) ? RoomEventTypes.Chat
                        : reader.ValueTextEquals("gift"u8) ? RoomEventTypes.Gift
                        : reader.ValueTextEquals("likes"u8) ? RoomEventTypes.Likes
                        : reader.ValueTextEquals("online"u8) ? RoomEventTypes.Online
                        : reader.ValueTextEquals("ban"u8) ? RoomEventTypes.Ban // the one moderation type the gateway acts on
                        : RoomEventTypes.Other;
                }
                else if (reader.ValueTextEquals("likes"u8))
                {
                    reader.Read();
                    likes = reader.TokenType == JsonTokenType.Null ? 0 : reader.GetInt32();
                }
                else if (reader.ValueTextEquals("serverTs"u8))
                {
                    reader.Read();
                    serverTs = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("streamTs"u8))
                {
                    reader.Read();
                    streamTs = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
                }
                else if (reader.ValueTextEquals("streamEpoch"u8))
                {
                    reader.Read();
                    streamEpoch = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return false; // truncated, or trailing content after the object
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (FormatException)
        {
            return false;
        }

        if (!hasId || lane is null)
        {
            return false;
        }

        // A stamp is both fields or neither (a hostile half-stamp carries none onward).
        envelope = streamTs is not null && streamEpoch is not null
            ? new EventEnvelope(id, seq, lane, type ?? RoomEventTypes.Other, likes, serverTs, streamTs, streamEpoch)
            : new EventEnvelope(id, seq, lane, type ?? RoomEventTypes.Other, likes, serverTs);
        return true;
    }

    /// <summary>
    /// Reads <c>moderation.userId</c> of a moderation event (the gateway, for <c>ban</c> events only: it must find
    /// the banned user's connections). False when absent or malformed.
    /// </summary>
    public static bool TryReadModerationUserId(ReadOnlySpan<byte> json, [NotNullWhen(true)] out string? userId)
    {
        userId = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("moderation"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("userId"u8))
                    {
                        reader.Read();
                        userId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                        return userId is { Length: > 0 };
                    }

                    reader.Read();
                    reader.Skip();
                }

                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        return false;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }
}
