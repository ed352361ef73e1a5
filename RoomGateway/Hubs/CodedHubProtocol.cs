using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using LiveIm.Core.Errors;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>
/// A standard hub protocol (JSON or MessagePack), except that every error a client can get from it is coded like our
/// own and says what was wrong in words: a call SignalR cannot bind (unknown method, wrong argument count or type)
/// answers <c>unknown_method: ...</c> or <c>invalid_argument: SendGift argument 2 (count) must be a whole number ...</c>
/// (<see cref="HubCallErrors"/>) instead of "Failed to invoke 'SendGift' due to an error on the server."; a frame that
/// cannot be read closes its connection with <c>invalid_frame: ...</c> instead of SignalR's uncoded "Connection closed
/// with an error.". What differs per format (where a record ends, what it sent, how a read error is worded) is the
/// subclass's: <see cref="CodedJsonHubProtocol"/>, <see cref="CodedMessagePackHubProtocol"/>.
/// </summary>
/// <remarks>
/// Why the protocol and not a hub filter: binding failures and unreadable frames never reach a hub filter (SignalR
/// answers them in its dispatcher, before any filter runs), and the protocol is the one layer that sees both the frame
/// and every message SignalR writes back. Exception-free on the good path: the extra work per frame is one
/// forward-only pass over at most <c>Limits:MaxMessageBytes</c>.
/// </remarks>
public abstract class CodedHubProtocol : IHubProtocol
{
    // SignalR wraps a HubException's text: "An unexpected error occurred invoking 'X' on the server. HubException: <ours>".
    private const string HubExceptionMarker = " HubException: ";

    private readonly IHubProtocol _inner;

    protected CodedHubProtocol(IHubProtocol inner)
    {
        _inner = inner;
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
                var record = NextRecord(input);
                if (_inner.TryParseMessage(ref input, binder, out message))
                {
                    message = Refuse(message, record);
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
        catch (HubException)
        {
            throw;
        }
        catch (Exception ex) when (UnreadableFrame(ex) is { } error)
        {
            // SignalR closes the connection; a HubException's text reaches the client in the close message.
            throw new HubException($"{ErrorCodes.InvalidFrame}: {error}", ex);
        }
    }

    /// <summary>
    /// The next complete record (one message as the format frames it, without its framing), or null while it is still
    /// arriving. Throws a <see cref="HubException"/> (<c>invalid_frame: ...</c>) for a record the format would read but
    /// LiveIm refuses (bytes after the message).
    /// </summary>
    protected abstract ReadOnlySequence<byte>? NextRecord(ReadOnlySequence<byte> input);

    /// <summary>The words after <c>invalid_frame: </c> for an exception the inner protocol threw reading a frame, or null to let it through.</summary>
    protected abstract string? UnreadableFrame(Exception ex);

    /// <summary>The arguments a record's call sent, as a JSON array (<see cref="HubCallErrors.Describe"/> reads it), or null when they cannot be read.</summary>
    protected abstract ReadOnlySequence<byte>? ArgumentsJson(ReadOnlySequence<byte> record);

    // A call SignalR could not bind, or one in a shape no RoomHub method takes (a stream invocation, streamIds), becomes
    // a binding failure with our message. SignalR answers a binding failure with "Failed to invoke '<target>' due to
    // an error on the server. HubException: <ours>" for a HubException, and Code below keeps only <ours>.
    private HubMessage Refuse(HubMessage message, ReadOnlySequence<byte>? record)
    {
        var error = message switch
        {
            InvocationBindingFailureMessage failure when record is { } frame => HubCallErrors.Describe(failure.Target, ArgumentsJson(frame)),
            StreamInvocationMessage stream =>
                $"{ErrorCodes.InvalidArgument}: {HubCallErrors.Echo(stream.Target)} is not a streaming method; call it with an invocation (type 1)",
            InvocationMessage { StreamIds.Length: > 0 } invocation =>
                $"{ErrorCodes.InvalidArgument}: {HubCallErrors.Echo(invocation.Target)} takes no streams; send the call without streamIds",
            _ => null,
        };
        if (error is null)
        {
            return message;
        }

        var invocationId = ((HubInvocationMessage)message).InvocationId;
        var target = message switch
        {
            InvocationBindingFailureMessage f => f.Target,
            HubMethodInvocationMessage m => m.Target,
            _ => string.Empty,
        };
        return new InvocationBindingFailureMessage(invocationId, target, ExceptionDispatchInfo.Capture(new HubException(error)));
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(Code(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(Code(message));

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

        return CompletionMessage.WithError(completion.InvocationId!, CodeSignalRError(error));
    }

    // SignalR's own call errors that did not pass through Refuse above (none are known; this is the net under it), in
    // our words; the method name is the quoted part of SignalR's text.
    private static string CodeSignalRError(string error)
    {
        var start = error.IndexOf('\'', StringComparison.Ordinal);
        var end = start >= 0 ? error.IndexOf('\'', start + 1) : -1;
        var target = end > start ? error[(start + 1)..end] : string.Empty;
        if (error.StartsWith("Unknown hub method", StringComparison.Ordinal) || error.EndsWith("Method does not exist.", StringComparison.Ordinal))
        {
            return HubCallErrors.Describe(target, null);
        }

        if (error.Contains("non-streaming", StringComparison.Ordinal) || error.Contains("streaming invocation", StringComparison.Ordinal))
        {
            return $"{ErrorCodes.InvalidArgument}: '{HubCallErrors.Echo(target)}' is called with an invocation (type 1); no hub method is a stream (type 4)";
        }

        return $"{ErrorCodes.InvalidArgument}: the call to '{HubCallErrors.Echo(target)}' could not be run as sent (docs/protocol.md, Hub methods)";
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

        return $"{ErrorCodes.InvalidFrame}: the connection sent a frame the gateway could not read (not a SignalR message in the connection's protocol, or over the size limit)";
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
