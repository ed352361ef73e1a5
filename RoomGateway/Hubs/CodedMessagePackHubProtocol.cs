using System.Buffers;
using LiveIm.Core.Errors;
using LiveIm.Core.Serialization;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// The standard MessagePack hub protocol with LiveIm's coded errors (<see cref="CodedHubProtocol"/>), and the JSON
/// data model: results and notices are maps with the same camelCase keys as in JSON (<see cref="JsonShapedResolver"/>;
/// room event frames are built by <see cref="Delivery.MessagePackFrame"/> the same way). A record is one MessagePack
/// array after its VarInt length; one with bytes after the array is refused with <c>invalid_frame</c>.
/// </summary>
public sealed class CodedMessagePackHubProtocol : CodedHubProtocol
{
    /// <summary>The protocol's name in the SignalR handshake (<c>{"protocol":"messagepack","version":1}</c>).</summary>
    public const string ProtocolName = "messagepack";

    // A VarInt of at most 5 bytes carries a record's length (SignalR's binary framing; docs/protocol.md).
    private const int MaxLengthPrefix = 5;

    public CodedMessagePackHubProtocol(IOptions<JsonHubProtocolOptions> json)
        : base(new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions
        {
            SerializerOptions = JsonShapedResolver.Options(json.Value.PayloadSerializerOptions),
        })))
    {
    }

    protected override ReadOnlySequence<byte>? NextRecord(ReadOnlySequence<byte> input)
    {
        if (!TryReadLength(input, out var prefix, out var length) || input.Length - prefix < length)
        {
            return null;
        }

        var record = input.Slice(prefix, length);
        RefuseTrailingContent(record);
        return record;
    }

    protected override string? UnreadableFrame(Exception ex) =>
        ex is MessagePackSerializationException or InvalidDataException or EndOfStreamException or FormatException or InvalidOperationException
            ? $"the frame is not a SignalR MessagePack message: {HubCallErrors.Echo(Words(ex))}"
            : null;

    protected override ReadOnlySequence<byte>? ArgumentsJson(ReadOnlySequence<byte> record)
    {
        try
        {
            // [type, headers, invocationId, target, arguments, streamIds?] (invocations and stream invocations alike)
            var reader = new MessagePackReader(record);
            if (reader.ReadArrayHeader() < 5)
            {
                return null;
            }

            for (var i = 0; i < 4; i++)
            {
                reader.Skip();
            }

            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                return null;
            }

            return new ReadOnlySequence<byte>(MessagePackJson.ToJson(ref reader));
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    // SignalR's VarInt: 7 bits a byte, low bits first, the high bit set on every byte but the last.
    private static bool TryReadLength(ReadOnlySequence<byte> input, out int prefix, out long length)
    {
        prefix = 0;
        length = 0;
        var reader = new SequenceReader<byte>(input);
        while (prefix < MaxLengthPrefix && reader.TryRead(out var b))
        {
            length |= (long)(b & 0x7f) << (7 * prefix);
            prefix++;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        // Incomplete, or a prefix longer than 5 bytes: the protocol itself refuses the latter when it reads it.
        return false;
    }

    // The MessagePack protocol reads the record's one array and ignores what follows it in the record: refused, as
    // trailing bytes after a JSON object are. Records that are not MessagePack at all are left to the protocol.
    private static void RefuseTrailingContent(ReadOnlySequence<byte> record)
    {
        var reader = new MessagePackReader(record);
        try
        {
            // Iterative (MessagePackReader.Skip recurses, and a 16 KB frame can nest 16,000 arrays deep).
            for (long pending = 1; pending > 0; pending--)
            {
                switch (reader.NextMessagePackType)
                {
                    case MessagePackType.Array:
                        pending += reader.ReadArrayHeader();
                        break;
                    case MessagePackType.Map:
                        pending += 2L * reader.ReadMapHeader();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException)
        {
            return;
        }

        if (!reader.End)
        {
            throw new HubException($"{ErrorCodes.InvalidFrame}: the frame has bytes after its MessagePack array; send exactly one message per length-prefixed record");
        }
    }

    // SignalR wraps the reader's error ("Reading 'target' as String failed.") around MessagePack's own words.
    private static string Words(Exception ex) =>
        ex.InnerException is { } inner && ex is InvalidDataException
            ? $"{ex.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})"
            : ex.Message.TrimEnd('.');
}
