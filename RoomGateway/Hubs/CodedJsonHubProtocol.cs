using System.Buffers;
using System.Text.Json;
using LiveIm.Core.Errors;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// The standard JSON hub protocol with LiveIm's coded errors (<see cref="CodedHubProtocol"/>). A record is one JSON
/// object ended by 0x1E; one that carries anything after its JSON object is refused with <c>invalid_frame</c>, since
/// the JSON protocol would read the object and run its call.
/// </summary>
public sealed class CodedJsonHubProtocol : CodedHubProtocol
{
    private const byte RecordSeparator = 0x1e;

    public CodedJsonHubProtocol(IOptions<JsonHubProtocolOptions> options)
        : base(new JsonHubProtocol(options))
    {
    }

    // The next complete record (one JSON message, without its 0x1e separator), or null while it is still arriving.
    protected override ReadOnlySequence<byte>? NextRecord(ReadOnlySequence<byte> input)
    {
        if (input.PositionOf(RecordSeparator) is not { } end)
        {
            return null;
        }

        var record = input.Slice(0, end);
        RefuseTrailingContent(record);
        return record;
    }

    protected override string? UnreadableFrame(Exception ex)
    {
        // SignalR wraps the reader's error: InvalidDataException "Error reading JSON." around the JsonException.
        if ((ex as JsonException ?? ex.InnerException as JsonException) is { } json)
        {
            var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : string.Empty;
            return $"the frame is not valid JSON{where}";
        }

        // SignalR's own words for a JSON object that is not a hub message ("Missing required property 'target'.",
        // "Expected 'type' to be of type Integer."): they name the field and the rule, and no exception type.
        return ex is InvalidDataException or FormatException or InvalidOperationException
            ? $"the frame is JSON but not a SignalR message: {HubCallErrors.Echo(ex.Message.TrimEnd('.'))}"
            : null;
    }

    // The record was parsed before (SignalR read it), so a second read for the error costs nothing on the good path.
    protected override ReadOnlySequence<byte>? ArgumentsJson(ReadOnlySequence<byte> record)
    {
        try
        {
            using var document = JsonDocument.Parse(record);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("arguments", out var arguments)
                    ? new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(arguments.GetRawText()))
                    : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The JSON protocol reads one JSON value from a record and ignores what follows it, so "{...}xyz" would run the
    // call. A record is exactly one JSON object (whitespace around it allowed): anything else after it is refused.
    // Frames that are not JSON at all are left to the protocol, which words its own error.
    private static void RefuseTrailingContent(ReadOnlySequence<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        try
        {
            if (!reader.Read() || !reader.TrySkip())
            {
                return;
            }
        }
        catch (JsonException)
        {
            return;
        }

        foreach (var segment in record.Slice(reader.BytesConsumed))
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    throw new HubException($"{ErrorCodes.InvalidFrame}: the frame has bytes after its JSON object; send exactly one JSON object per record, each ended by 0x1E");
                }
            }
        }
    }
}
