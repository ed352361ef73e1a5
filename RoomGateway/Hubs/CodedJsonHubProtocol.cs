using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using LiveIm.Core.Errors;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// The standard JSON hub protocol, except that errors SignalR produces itself (unknown method, argument binding
/// failures) also start with a stable code, like every error of ours: <c>unknown_method:</c> and
/// <c>invalid_argument:</c>; and a frame that cannot be read closes its connection with a close message
/// <c>invalid_frame: ...</c> instead of SignalR's uncoded "Connection closed with an error.". Those errors never reach
/// a hub filter, so the protocol is the one place to do it.
/// </summary>
public sealed class CodedJsonHubProtocol : IHubProtocol
{
    private readonly JsonHubProtocol _inner;

    public CodedJsonHubProtocol(IOptions<JsonHubProtocolOptions> options)
    {
        _inner = new JsonHubProtocol(options);
    }

    public string Name => _inner.Name;

    public int Version => _inner.Version;

    public TransferFormat TransferFormat => _inner.TransferFormat;

    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        try
        {
            while (true)
            {
                var before = input.Length;
                RefuseTrailingData(input);
                if (_inner.TryParseMessage(ref input, binder, out message))
                {
                    return true;
                }

                // False means "need more data", except after a message of a type this version ignores (forward
                // compatibility): that one was consumed, and a complete message may follow in the same read. SignalR
                // would wait for more bytes before looking at it, stalling the connection; parse on instead.
                if (input.Length == before || input.IsEmpty)
                {
                    return false;
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException or FormatException or InvalidOperationException)
        {
            // SignalR closes the connection; a HubException's text reaches the client in the close message.
            throw new HubException($"{ErrorCodes.InvalidFrame}: the frame is not a valid SignalR JSON message ({ex.Message})", ex);
        }
    }

    // SignalR's JSON protocol reads one JSON value from a record and ignores whatever follows it before the 0x1E
    // separator, so `{...}xyz` would be executed. A record is exactly one JSON object (whitespace around it allowed):
    // anything else after the object is refused as an invalid frame (caught below).
    private static void RefuseTrailingData(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> record, (byte)0x1e))
        {
            return; // not a whole record yet: the inner protocol waits for more
        }

        var json = new System.Text.Json.Utf8JsonReader(record, new System.Text.Json.JsonReaderOptions { AllowMultipleValues = true });
        if (!json.Read())
        {
            return; // an empty record: the inner protocol refuses it
        }

        json.Skip();
        var rest = record.Slice(json.Position);
        foreach (var segment in rest)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    throw new InvalidDataException("data after the JSON object in the record");
                }
            }
        }
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(Code(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(Code(message));

    // SignalR wraps a HubException's text: "An unexpected error occurred invoking 'X' on the server. HubException: <ours>".
    private const string HubExceptionMarker = " HubException: ";

    /// <summary>Unwraps our coded message, or adds a code to a completion or close error that has none.</summary>
    internal static HubMessage Code(HubMessage message)
    {
        if (message is CloseMessage { Error: { } closeError } close)
        {
            return HasCode(closeError) ? message : new CloseMessage(CodeClose(closeError), close.AllowReconnect);
        }

        if (message is not CompletionMessage { Error: { } error } completion)
        {
            return message;
        }

        var marker = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        if (marker >= 0 && HasCode(error[(marker + HubExceptionMarker.Length)..]))
        {
            return CompletionMessage.WithError(completion.InvocationId!, error[(marker + HubExceptionMarker.Length)..]);
        }

        if (HasCode(error))
        {
            return message;
        }

        var unknown = error.StartsWith("Unknown hub method", StringComparison.Ordinal)
            || error.EndsWith("HubException: Method does not exist.", StringComparison.Ordinal);
        var code = unknown ? ErrorCodes.UnknownMethod : ErrorCodes.InvalidArgument;
        return CompletionMessage.WithError(completion.InvocationId!, $"{code}: {error}");
    }

    // SignalR's own close errors come from reading the client's frames (the protocol above, or the frame size
    // limit, which SignalR checks itself): "Connection closed with an error. [HubException: <ours>]".
    private static string CodeClose(string error)
    {
        var marker = error.IndexOf(HubExceptionMarker, StringComparison.Ordinal);
        if (marker >= 0 && HasCode(error[(marker + HubExceptionMarker.Length)..]))
        {
            return error[(marker + HubExceptionMarker.Length)..];
        }

        return $"{ErrorCodes.InvalidFrame}: the connection sent a frame the gateway could not read (not a SignalR JSON message, or over the size limit)";
    }

    private static bool HasCode(string error)
    {
        var colon = error.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        foreach (var c in error.AsSpan(0, colon))
        {
            if (c is not (>= 'a' and <= 'z' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
