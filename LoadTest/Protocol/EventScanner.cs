using System.Text.Json;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// Reads <c>events</c> frames the way 10,000 receivers on two cores can afford: a vectorized search for
/// <c>"lane":"</c> counts the events of a frame (a frame may carry many: the LiveIm engine merges a room's events
/// per tick) and tells their lane from the next byte; only a gift's id is read, to check that every receiver got every
/// gift. Tracer receivers additionally parse each event with <see cref="Utf8JsonReader"/> for its send timestamp.
/// </summary>
/// <remarks>
/// The byte sequence <c>"lane":"</c> cannot occur inside a JSON string value (its quotes would be escaped as
/// <c>\"</c>), so every hit is a property of an event. Producers write <c>giftId</c> after <c>lane</c> (LiveIm's
/// RoomEventJson, the baseline's record, the raw server): the gift id is searched between its lane and the next one.
/// </remarks>
public static class EventScanner
{
    private static ReadOnlySpan<byte> InvocationType => "\"type\":1"u8;

    /// <summary>True for an invocation of the client method <c>events</c> (checked within the first 64 bytes).</summary>
    public static bool IsEventsInvocation(ReadOnlySpan<byte> record)
    {
        var head = record[..Math.Min(record.Length, 64)];
        return head.IndexOf(SignalRFrames.EventsTargetProperty) >= 0 && head.IndexOf(InvocationType) >= 0;
    }

    /// <summary>Counts the events of one frame by lane and marks its gifts in <paramref name="gifts"/>.</summary>
    public static EventCounts Count(ReadOnlySpan<byte> record, GiftSet? gifts)
    {
        var counts = default(EventCounts);
        var lane = SignalRFrames.LaneProperty;
        var at = record.IndexOf(lane);
        while (at >= 0)
        {
            var valueAt = at + lane.Length;
            var rest = record[valueAt..];
            var next = rest.IndexOf(lane);
            var kind = rest.IsEmpty ? (byte)0 : rest[0];
            counts.Add(kind);
            if (kind == (byte)'g' && gifts is not null)
            {
                var scope = next >= 0 ? rest[..next] : rest;
                if (TryFindGiftId(scope, out var giftId) && Payload.TryReadGiftId(giftId, out var number, out _))
                {
                    gifts.Add(number);
                }
                else
                {
                    counts.UnreadableGifts++;
                }
            }

            if (next < 0)
            {
                break;
            }

            at = valueAt + next;
        }

        return counts;
    }

    /// <summary>
    /// Parses every event of an <c>events</c> frame and records the latency of chat lines and gifts sent within
    /// <paramref name="window"/> (their embedded timestamps against <paramref name="now"/>). False when the frame is not
    /// the expected JSON.
    /// </summary>
    public static bool Trace(ReadOnlySpan<byte> record, long now, StepWindow window)
    {
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isArguments = reader.ValueTextEquals("arguments"u8);
                reader.Read();
                if (!isArguments)
                {
                    reader.Skip();
                    continue;
                }

                // "arguments":[ [event, event, ...] ]
                if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadEvent(ref reader, now, window);
                }

                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void ReadEvent(ref Utf8JsonReader reader, long now, StepWindow window)
    {
        byte lane = 0;
        long sent = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("lane"u8))
            {
                reader.Read();
                lane = reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0 ? reader.ValueSpan[0] : (byte)0;
            }
            else if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && Payload.TryReadChatTimestamp(reader.ValueSpan, out var ts))
                {
                    sent = ts;
                }
            }
            else if (reader.ValueTextEquals("gift"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isGiftId = reader.ValueTextEquals("giftId"u8);
                    reader.Read();
                    if (isGiftId && reader.TokenType == JsonTokenType.String && Payload.TryReadGiftId(reader.ValueSpan, out _, out var ts))
                    {
                        sent = ts;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (sent >= 0)
        {
            window.Record(lane, sent, now);
        }
    }

    private static bool TryFindGiftId(ReadOnlySpan<byte> scope, out ReadOnlySpan<byte> giftId)
    {
        giftId = default;
        var property = SignalRFrames.GiftIdProperty;
        var at = scope.IndexOf(property);
        if (at < 0)
        {
            return false;
        }

        var value = scope[(at + property.Length)..];
        var end = value.IndexOf((byte)'"');
        if (end <= 0)
        {
            return false;
        }

        giftId = value[..end];
        return true;
    }
}
