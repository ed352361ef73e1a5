using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace LiveIm.Core.Serialization;

/// <summary>
/// Transcodes between JSON and MessagePack value for value: an object is a map with the same (string) keys, an array
/// an array, a string a str, a whole number an int, any other number a float64, true/false/null the same. So the
/// MessagePack hub protocol carries exactly the JSON data model of docs/protocol.md, with the same field names,
/// and one contract (the JSON one) describes both.
/// </summary>
/// <remarks>
/// Why transcode rather than serialize types with MessagePack's own resolvers: those key maps by C# member name
/// (<c>RoomId</c>, not <c>roomId</c>) or by position, and room events already exist as wire JSON bytes (built once by
/// RoomService, kept in history); reading those bytes once per frame keeps one source of truth for every field.
/// </remarks>
public static class MessagePackJson
{
    /// <summary>Nesting deeper than this is refused when reading MessagePack (a hostile frame must not exhaust the stack).</summary>
    public const int MaxDepth = 64;

    /// <summary>Writes the one JSON value in <paramref name="json"/> (UTF-8) as MessagePack.</summary>
    /// <exception cref="JsonException">The bytes are not one JSON value.</exception>
    public static void WriteJson(ReadOnlySpan<byte> json, ref MessagePackWriter writer)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        if (!reader.Read())
        {
            throw new JsonException("no JSON value");
        }

        WriteValue(ref reader, ref writer);
    }

    /// <summary>Reads one MessagePack value and writes it as JSON.</summary>
    /// <exception cref="MessagePackSerializationException">Not MessagePack, truncated, or nested deeper than <see cref="MaxDepth"/>.</exception>
    public static void ReadToJson(ref MessagePackReader reader, Utf8JsonWriter writer) => ReadValue(ref reader, writer, 0);

    /// <summary>One MessagePack value as UTF-8 JSON bytes.</summary>
    public static byte[] ToJson(ref MessagePackReader reader)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            ReadToJson(ref reader, writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // The reader is on the value's first token.
    private static void WriteValue(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                writer.WriteMapHeader(CountChildren(reader));
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    WriteString(ref reader, ref writer);
                    reader.Read();
                    WriteValue(ref reader, ref writer);
                }

                break;
            case JsonTokenType.StartArray:
                writer.WriteArrayHeader(CountChildren(reader));
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteValue(ref reader, ref writer);
                }

                break;
            case JsonTokenType.String:
                WriteString(ref reader, ref writer);
                break;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out var whole))
                {
                    writer.Write(whole);
                }
                else if (reader.TryGetUInt64(out var big))
                {
                    writer.Write(big);
                }
                else
                {
                    writer.Write(reader.GetDouble());
                }

                break;
            case JsonTokenType.True:
                writer.Write(true);
                break;
            case JsonTokenType.False:
                writer.Write(false);
                break;
            case JsonTokenType.Null:
                writer.WriteNil();
                break;
            default:
                throw new JsonException($"unexpected JSON token {reader.TokenType}");
        }
    }

    // Unescaped strings (every field name and almost every value of a room event) are copied as their UTF-8 bytes.
    private static void WriteString(ref Utf8JsonReader reader, ref MessagePackWriter writer)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            writer.WriteString(reader.ValueSpan);
        }
        else
        {
            writer.Write(reader.GetString());
        }
    }

    // MessagePack puts a container's length before its items; JSON does not, so count them on a copy of the reader
    // (a struct: the copy moves, the original stays). Events are small and shallow, so the second pass is cheap.
    private static int CountChildren(Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        var count = 0;
        while (reader.Read() && !(reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                reader.Read();
            }

            count++;
            reader.Skip();
        }

        return count;
    }

    private static void ReadValue(ref MessagePackReader reader, Utf8JsonWriter writer, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new MessagePackSerializationException($"nested deeper than {MaxDepth}");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var pairs = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (var i = 0; i < pairs; i++)
                {
                    writer.WritePropertyName(KeyText(ref reader));
                    ReadValue(ref reader, writer, depth + 1);
                }

                writer.WriteEndObject();
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    ReadValue(ref reader, writer, depth + 1);
                }

                writer.WriteEndArray();
                break;
            case MessagePackType.String:
                writer.WriteStringValue(reader.ReadString());
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }

                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                if (double.IsFinite(number))
                {
                    writer.WriteNumberValue(number);
                }
                else
                {
                    writer.WriteNullValue(); // JSON has no NaN or infinity
                }

                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Nil:
                reader.ReadNil();
                writer.WriteNullValue();
                break;
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes() ?? default;
                writer.WriteBase64StringValue(bytes.ToArray());
                break;
            default:
                // Extensions (timestamps, application types) have no JSON counterpart in the contract.
                reader.Skip();
                writer.WriteNullValue();
                break;
        }
    }

    // JSON keys are strings; a map with other keys (only a hostile or foreign client sends one) keeps their text.
    private static string KeyText(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                return reader.ReadString() ?? string.Empty;
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64
                    ? reader.ReadUInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : reader.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
            default:
                reader.Skip();
                return string.Empty;
        }
    }
}
