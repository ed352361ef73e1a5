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
/// <c>invalid_argument:</c>. Those errors never reach a hub filter, so the protocol is the one place to do it.
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

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message) =>
        _inner.TryParseMessage(ref input, binder, out message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(Code(message), output);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(Code(message));

    // SignalR wraps a HubException's text: "An unexpected error occurred invoking 'X' on the server. HubException: <ours>".
    private const string HubExceptionMarker = " HubException: ";

    /// <summary>Unwraps our coded message, or adds a code to a completion error that has none.</summary>
    internal static HubMessage Code(HubMessage message)
    {
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
