using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace LiveIm.SignalR.Protocol;

/// <summary>
/// Serializes outgoing hub messages into <see cref="RentedFrame"/>s: one JSON object plus the <c>0x1E</c> separator,
/// ready to be one WebSocket text message.
/// </summary>
/// <remarks>
/// Serialization is synchronous, so each thread keeps one <see cref="Utf8JsonWriter"/> and one growable scratch
/// buffer and reuses them; the finished bytes are copied into a pooled array of the right size, which the send path
/// owns across its awaits and returns afterwards. Steady-state sends allocate nothing here.
/// </remarks>
internal static class HubMessageWriter
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_scratch;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// "Invocation Message Encoding": <c>{"type":1,"invocationId":"42","target":"Add","arguments":[40,2]}</c>.
    /// A non-blocking invocation omits <c>invocationId</c> (<paramref name="invocationId"/> &lt; 0).
    /// </summary>
    public static RentedFrame WriteInvocation(long invocationId, string target, object?[] args, JsonSerializerOptions options)
    {
        var (scratch, writer) = Begin();
        try
        {
            writer.WriteStartObject();
            writer.WriteNumber(HubProtocolConstants.TypeProperty, HubProtocolConstants.InvocationType);
            if (invocationId >= 0)
            {
                WriteInvocationId(writer, invocationId);
            }

            writer.WriteString(HubProtocolConstants.TargetProperty, target);
            writer.WriteStartArray(HubProtocolConstants.ArgumentsProperty);
            foreach (var arg in args)
            {
                if (arg is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    // Runtime type, like the server's binder sees it: an object declared as a base type keeps its fields.
                    JsonSerializer.Serialize(writer, arg, arg.GetType(), options);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            return End(scratch, writer);
        }
        catch
        {
            writer.Reset();
            throw;
        }
    }

    /// <summary>"Completion Message Encoding" with an error: <c>{"type":3,"invocationId":"123","error":"..."}</c>.</summary>
    public static RentedFrame WriteCompletionError(ReadOnlySpan<byte> rawInvocationId, string error)
    {
        var (scratch, writer) = Begin();
        writer.WriteStartObject();
        writer.WriteNumber(HubProtocolConstants.TypeProperty, HubProtocolConstants.CompletionType);
        writer.WritePropertyName(HubProtocolConstants.InvocationIdProperty);
        writer.WriteRawValue(JsonQuoted(rawInvocationId), skipInputValidation: false);
        writer.WriteString(HubProtocolConstants.ErrorProperty, error);
        writer.WriteEndObject();
        return End(scratch, writer);
    }

    private static byte[] JsonQuoted(ReadOnlySpan<byte> raw)
    {
        // The id arrived as raw (possibly escaped) JSON string content; re-quoting it echoes the same string back.
        var quoted = new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        return quoted;
    }

    private static void WriteInvocationId(Utf8JsonWriter writer, long invocationId)
    {
        // "Invocation ID (arbitrary string, chosen by the Caller)": increasing integers, written as strings.
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(invocationId, digits, out var written);
        writer.WriteString(HubProtocolConstants.InvocationIdProperty, digits[..written]);
    }

    private static (ArrayBufferWriter<byte> Scratch, Utf8JsonWriter Writer) Begin()
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        scratch.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(scratch, new JsonWriterOptions { SkipValidation = false });
        writer.Reset(scratch);
        return (scratch, writer);
    }

    private static RentedFrame End(ArrayBufferWriter<byte> scratch, Utf8JsonWriter writer)
    {
        writer.Flush();
        var json = scratch.WrittenSpan;
        var array = ArrayPool<byte>.Shared.Rent(json.Length + 1);
        json.CopyTo(array);
        array[json.Length] = HubProtocolConstants.RecordSeparator;
        var frame = new RentedFrame(array, json.Length + 1);

        // A one-off huge message should not pin a huge scratch array to this thread forever.
        if (scratch.Capacity > 64 * 1024)
        {
            t_scratch = null;
            t_writer = null;
        }

        return frame;
    }
}
