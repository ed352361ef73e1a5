using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// Reads MessagePack <c>events</c> records the way the lean receivers afford: one forward walk of each event map
/// (<see cref="MessagePackCursor"/>) that counts it by its <c>lane</c>, marks a gift's number from its <c>giftId</c> and,
/// for tracer receivers, records the send timestamp of chat lines and gifts; everything else is skipped unread. The
/// gateway's MessagePack events are maps with the JSON field names (docs/protocol.md), so the fields are the same
/// ones <see cref="EventScanner"/> finds in JSON.
/// </summary>
public static class MessagePackScanner
{
    private static ReadOnlySpan<byte> Events => "events"u8;

    /// <summary>True for an invocation (<c>[1, headers, invocationId, "events", ...]</c>) of the client method <c>events</c>.</summary>
    public static bool IsEventsInvocation(ReadOnlySpan<byte> record)
    {
        var cursor = new MessagePackCursor(record);
        return AtArguments(ref cursor);
    }

    /// <summary>
    /// Counts the events of one <c>events</c> record by lane, marks its gifts in <paramref name="gifts"/> and, with a
    /// <paramref name="window"/>, records chat and gift latency against <paramref name="now"/>. An event whose fields
    /// cannot be read counts as <see cref="EventCounts.Other"/> (a gift as unreadable) and ends the walk.
    /// </summary>
    public static EventCounts Count(ReadOnlySpan<byte> record, GiftSet? gifts, StepWindow? window = null, long now = 0)
    {
        var counts = default(EventCounts);
        var cursor = new MessagePackCursor(record);
        if (!AtArguments(ref cursor) || !cursor.TryReadArrayHeader(out var arguments) || arguments < 1 || !cursor.TryReadArrayHeader(out var events))
        {
            return counts;
        }

        for (var i = 0; i < events; i++)
        {
            if (!ReadEvent(ref cursor, ref counts, gifts, window, now))
            {
                counts.Other += events - i;
                break;
            }
        }

        return counts;
    }

    /// <summary>
    /// The type, invocation id and error of a control record: a completion <c>[3, headers, id, 1, error]</c> (or
    /// <c>2</c> void, <c>3</c> result), a close <c>[7, error, allowReconnect]</c>, or any other type (id and error null).
    /// Type 0 when the record is not a readable SignalR message.
    /// </summary>
    public static (int Type, string? InvocationId, string? Error) ReadControl(ReadOnlySpan<byte> record)
    {
        var cursor = new MessagePackCursor(record);
        if (!cursor.TryReadArrayHeader(out var items) || items < 1 || !cursor.TryReadInteger(out var type))
        {
            return (0, null, null);
        }

        switch (type)
        {
            case 3 when items >= 4:
                if (!cursor.TrySkip() || !TryReadText(ref cursor, out var id) || !cursor.TryReadInteger(out var kind))
                {
                    return (0, null, null);
                }

                return ((int)type, id, kind == 1 && TryReadText(ref cursor, out var error) ? error ?? "error" : null);
            case 7 when items >= 2:
                return ((int)type, null, TryReadText(ref cursor, out var reason) ? reason : null);
            default:
                return ((int)type, null, null);
        }
    }

    // Moves past type, headers and invocation id to the arguments of an "events" invocation.
    private static bool AtArguments(ref MessagePackCursor cursor) =>
        cursor.TryReadArrayHeader(out var items) && items >= 5
        && cursor.TryReadInteger(out var type) && type == 1
        && cursor.TrySkip() && cursor.TrySkip()
        && cursor.TryReadString(out var target) && target.SequenceEqual(Events);

    private static bool ReadEvent(ref MessagePackCursor cursor, ref EventCounts counts, GiftSet? gifts, StepWindow? window, long now)
    {
        if (!cursor.TryReadMapHeader(out var fields))
        {
            return false;
        }

        byte lane = 0;
        long giftNumber = -1;
        long sent = -1;
        for (var f = 0; f < fields; f++)
        {
            if (!cursor.TryReadString(out var key))
            {
                return false;
            }

            if (key.SequenceEqual("lane"u8))
            {
                if (!cursor.TryReadString(out var value))
                {
                    return false;
                }

                lane = value.IsEmpty ? (byte)0 : value[0];
            }
            else if (key.SequenceEqual("gift"u8))
            {
                if (!ReadGift(ref cursor, out var number, out var giftSent))
                {
                    return false;
                }

                if (number >= 0)
                {
                    giftNumber = number;
                    sent = giftSent;
                }
            }
            else if (window is not null && key.SequenceEqual("text"u8) && cursor.TryReadString(out var text))
            {
                if (Payload.TryReadChatTimestamp(text, out var ts))
                {
                    sent = ts;
                }
            }
            else if (!cursor.TrySkip())
            {
                return false;
            }
        }

        counts.Add(lane);
        if (lane == (byte)'g' && gifts is not null)
        {
            if (giftNumber >= 0)
            {
                gifts.Add(giftNumber);
            }
            else
            {
                counts.UnreadableGifts++;
            }
        }

        if (window is not null && sent >= 0)
        {
            window.Record(lane, sent, now);
        }

        return true;
    }

    // "gift": {"giftId": "g<n>_<timestamp>", "count": n}: the number (-1 when the id is not ours) and the send time.
    // False only when the value cannot be read past.
    private static bool ReadGift(ref MessagePackCursor cursor, out long number, out long sent)
    {
        number = -1;
        sent = -1;
        if (!cursor.TryReadMapHeader(out var fields))
        {
            return cursor.TrySkip();
        }

        for (var f = 0; f < fields; f++)
        {
            if (!cursor.TryReadString(out var key))
            {
                return false;
            }

            if (key.SequenceEqual("giftId"u8) && cursor.TryReadString(out var id))
            {
                if (!Payload.TryReadGiftId(id, out number, out sent))
                {
                    number = -1;
                    sent = -1;
                }
            }
            else if (!cursor.TrySkip())
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadText(ref MessagePackCursor cursor, out string? text)
    {
        text = null;
        if (cursor.TryReadNil())
        {
            return true;
        }

        if (!cursor.TryReadString(out var utf8))
        {
            return false;
        }

        text = System.Text.Encoding.UTF8.GetString(utf8);
        return true;
    }
}
