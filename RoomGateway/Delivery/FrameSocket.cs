using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// The WebSocket SignalR's transport uses for a connection, seen through a thin wrapper so that the room engine can
/// write a tick's frame to it directly: one complete WebSocket message holding one hub-protocol record, the bytes the
/// official protocol wrote (<see cref="RoomFrame"/>), sent by the official <see cref="WebSocket"/> implementation.
/// </summary>
/// <remarks>
/// <para>
/// Why: through SignalR's own path a frame is copied into the connection's pipe (a 4 KB pooled segment each), the
/// transport's send loop is woken on the thread pool to read it back and hand it to the WebSocket: a second copy, a
/// thread hop and a segment per frame, 10,000 of them at once for a 10,000-member tick. Written here, the frame goes
/// from the fan-out's thread into the WebSocket in one call. Everything else (handshake, invocation results, pings,
/// close messages) still goes through SignalR, which sends it with the same WebSocket through this wrapper.
/// </para>
/// <para>
/// Sends are serialized per message: SignalR sends a record that spans its pipe's segments as several WebSocket
/// fragments, and no frame of ours may fall between them, so a SignalR message holds the send lock from its first
/// fragment to its last. The wire order between a frame written here and a hub message SignalR still holds in its
/// pipe is not defined (protocol.md: events may arrive before the <c>JoinRoom</c> completion); frames of one member
/// keep their order (<see cref="Rooms.RoomMember"/> writes one at a time).
/// </para>
/// </remarks>
public sealed class FrameSocket : WebSocket
{
    private readonly WebSocket _inner;
    private readonly SemaphoreSlim _send = new(1, 1);
    private bool _inMessage; // SignalR's transport is between the fragments of one message (it holds _send)

    public FrameSocket(WebSocket inner)
    {
        _inner = inner;
    }

    public override WebSocketCloseStatus? CloseStatus => _inner.CloseStatus;

    public override string? CloseStatusDescription => _inner.CloseStatusDescription;

    public override WebSocketState State => _inner.State;

    public override string? SubProtocol => _inner.SubProtocol;

    /// <summary>The frame socket of a hub connection, or null (not a WebSocket connection, or not accepted through <see cref="FrameSocketFeature"/>).</summary>
    public static FrameSocket? Of(HubConnectionContext connection) =>
        connection.GetHttpContext()?.Features.Get<FrameSocket>();

    /// <summary>
    /// Sends <paramref name="record"/> (one complete hub-protocol record in <paramref name="format"/>) as one WebSocket
    /// message, text for JSON and binary for MessagePack as SignalR's transport sends them. Completes at once when the
    /// socket took it without waiting (the usual case); the caller keeps the bytes alive until it completes.
    /// </summary>
    public ValueTask SendRecordAsync(ReadOnlyMemory<byte> record, FrameFormat format)
    {
        var type = format == FrameFormat.Json ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
        if (!_send.Wait(0))
        {
            return SendRecordLaterAsync(record, type);
        }

        ValueTask send;
        try
        {
            send = _inner.SendAsync(record, type, endOfMessage: true, CancellationToken.None);
        }
        catch
        {
            _send.Release();
            throw;
        }

        if (send.IsCompletedSuccessfully)
        {
            _send.Release();
            return ValueTask.CompletedTask;
        }

        return ReleaseAfterAsync(send);
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer, messageType, endOfMessage ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.None, cancellationToken);

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
    {
        if (!_inMessage)
        {
            await _send.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var end = (messageFlags & WebSocketMessageFlags.EndOfMessage) != 0;
        try
        {
            await _inner.SendAsync(buffer, messageType, messageFlags, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _inMessage = false;
            _send.Release();
            throw;
        }

        _inMessage = !end;
        if (end)
        {
            _send.Release();
        }
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        _inner.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        _inner.ReceiveAsync(buffer, cancellationToken);

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        _inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        _inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override void Abort() => _inner.Abort();

    public override void Dispose() => _inner.Dispose();

    private async ValueTask SendRecordLaterAsync(ReadOnlyMemory<byte> record, WebSocketMessageType type)
    {
        await _send.WaitAsync().ConfigureAwait(false);
        try
        {
            await _inner.SendAsync(record, type, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }

    private async ValueTask ReleaseAfterAsync(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        finally
        {
            _send.Release();
        }
    }
}

/// <summary>
/// Accepts WebSockets through the framework's handshake (the feature <c>UseWebSockets</c> installed) and hands SignalR
/// a <see cref="FrameSocket"/> over the result, which it also leaves in the request's features for the room engine.
/// </summary>
internal sealed class FrameSocketFeature(IHttpWebSocketFeature inner, HttpContext context) : IHttpWebSocketFeature
{
    public bool IsWebSocketRequest => inner.IsWebSocketRequest;

    public async Task<WebSocket> AcceptAsync(WebSocketAcceptContext acceptContext)
    {
        var socket = new FrameSocket(await inner.AcceptAsync(acceptContext).ConfigureAwait(false));
        context.Features.Set(socket);
        return socket;
    }

    /// <summary>Middleware, after <c>UseWebSockets</c>: wraps a WebSocket request's feature.</summary>
    public static Task Wrap(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is { IsWebSocketRequest: true } feature)
        {
            context.Features.Set<IHttpWebSocketFeature>(new FrameSocketFeature(feature, context));
        }

        return next(context);
    }
}
