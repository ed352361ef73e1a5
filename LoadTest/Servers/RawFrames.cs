using System.Buffers;
using System.Text.Json;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// Everything the raw server writes, built once as finished SignalR JSON frames (record separator included):
/// event frames <c>{"type":1,"target":"events","arguments":[[event]]}</c> with the same event JSON as LiveIm, and
/// completions <c>{"type":3,"invocationId":"…","result":…}</c>.
/// </summary>
internal static class RawFrames
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>A frame carrying one chat event.</summary>
    public static byte[] Chat(string roomId, long id, string userId, string text, long serverTs) =>
        EventFrame(w =>
        {
            Head(w, roomId, id, null, "chat", userId);
            w.WriteString("text"u8, text);
            Tail(w, serverTs);
        });

    /// <summary>A frame carrying one gift event.</summary>
    public static byte[] Gift(string roomId, long id, long seq, string userId, string giftId, int count, long serverTs) =>
        EventFrame(w =>
        {
            Head(w, roomId, id, seq, "gift", userId);
            w.WriteStartObject("gift"u8);
            w.WriteString("giftId"u8, giftId);
            w.WriteNumber("count"u8, count);
            w.WriteEndObject();
            Tail(w, serverTs);
        });

    /// <summary>A completion with a result written by <paramref name="result"/> (none when null).</summary>
    public static byte[] Completion(string invocationId, Action<Utf8JsonWriter>? result) =>
        Frame(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("type"u8, 3);
            w.WriteString("invocationId"u8, invocationId);
            if (result is not null)
            {
                w.WritePropertyName("result"u8);
                result(w);
            }

            w.WriteEndObject();
        });

    /// <summary>A completion with an error.</summary>
    public static byte[] CompletionError(string invocationId, string error) =>
        Frame(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("type"u8, 3);
            w.WriteString("invocationId"u8, invocationId);
            w.WriteString("error"u8, error);
            w.WriteEndObject();
        });

    private static void Head(Utf8JsonWriter w, string roomId, long id, long? seq, string lane, string userId)
    {
        w.WriteStartObject();
        w.WriteString("roomId"u8, roomId);
        w.WriteNumber("id"u8, id);
        if (seq is { } s)
        {
            w.WriteNumber("seq"u8, s);
        }
        else
        {
            w.WriteNull("seq"u8);
        }

        w.WriteString("lane"u8, lane);
        w.WriteString("type"u8, lane);
        w.WriteStartObject("from"u8);
        w.WriteString("userId"u8, userId);
        w.WriteString("name"u8, "publisher");
        w.WriteString("role"u8, "viewer");
        w.WriteEndObject();
    }

    private static void Tail(Utf8JsonWriter w, long serverTs)
    {
        w.WriteNumber("serverTs"u8, serverTs);
        w.WriteNull("streamTs"u8);
        w.WriteEndObject();
    }

    private static byte[] EventFrame(Action<Utf8JsonWriter> writeEvent) =>
        Frame(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("type"u8, 1);
            w.WriteString("target"u8, "events");
            w.WriteStartArray("arguments"u8);
            w.WriteStartArray();
            writeEvent(w);
            w.WriteEndArray();
            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static byte[] Frame(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        var frame = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(frame);
        frame[^1] = Protocol.RecordBuffer.Separator;
        return frame;
    }
}
