using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace LiveIm.RoomGateway.Connections;

/// <summary>
/// The output side of a hub connection: what SignalR writes between two flushes (a handshake answer, an invocation
/// result, a ping, a close message) leaves as one WebSocket message at the flush, from a buffer rented for it and
/// returned once the socket took it. An idle connection holds no buffer, and there is no pipe or send loop between
/// SignalR and the socket.
/// </summary>
/// <remarks>
/// <para>
/// Flush semantics are those of a <see cref="Pipe"/>'s writer where SignalR relies on them: a flush completes when the
/// socket has taken the message; <see cref="CancelPendingFlush"/> (SignalR's abort) makes the flush in progress, or the
/// next one, return <see cref="FlushResult.IsCanceled"/> at once, the message still going out behind it if the socket
/// takes it; once the socket fails, every flush reports <see cref="FlushResult.IsCompleted"/> and sends nothing.
/// </para>
/// <para>
/// Sends go through the connection's <see cref="Delivery.FrameSocket"/>, which keeps them whole between the room's frames.
/// </para>
/// </remarks>
internal sealed class WebSocketMessageWriter : PipeWriter
{
    private const int MinimumBuffer = 512;

    private readonly WebSocket _socket;
    private readonly ITransferFormatFeature _format;
    private readonly Lock _lock = new();
    private byte[]? _buffer;
    private int _written;
    private bool _failed;
    private bool _cancelNext;
    private TaskCompletionSource? _canceled; // set while a flush waits for the socket

    /// <param name="socket">The connection's socket.</param>
    /// <param name="format">The format SignalR chose in the handshake: text messages for JSON, binary for MessagePack.</param>
    public WebSocketMessageWriter(WebSocket socket, ITransferFormatFeature format)
    {
        _socket = socket;
        _format = format;
    }

    public override void Advance(int bytes)
    {
        if (_buffer is null || bytes < 0 || _written + bytes > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes));
        }

        _written += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _written;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var buffer = _buffer;
        var length = _written;
        _buffer = null;
        _written = 0;
        if (buffer is null || length == 0 || _failed)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return new ValueTask<FlushResult>(new FlushResult(TakeCancel(), _failed));
        }

        ValueTask send;
        try
        {
            send = _socket.SendAsync(buffer.AsMemory(0, length), _format.ActiveFormat == TransferFormat.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _failed = true;
            return new ValueTask<FlushResult>(new FlushResult(TakeCancel(), isCompleted: true));
        }

        if (send.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new ValueTask<FlushResult>(new FlushResult(TakeCancel(), isCompleted: false));
        }

        return WaitAsync(SendAsync(send, buffer), cancellationToken);
    }

    public override void CancelPendingFlush()
    {
        lock (_lock)
        {
            if (_canceled is { } waiting)
            {
                waiting.TrySetResult();
            }
            else
            {
                _cancelNext = true;
            }
        }
    }

    public override void Complete(Exception? exception = null)
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _written = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TakeCancel()
    {
        lock (_lock)
        {
            var cancel = _cancelNext;
            _cancelNext = false;
            return cancel;
        }
    }

    // Waits for the send, or returns canceled when CancelPendingFlush comes first (the send goes on by itself).
    private async ValueTask<FlushResult> WaitAsync(Task send, CancellationToken cancellationToken)
    {
        TaskCompletionSource canceled;
        lock (_lock)
        {
            if (_cancelNext)
            {
                _cancelNext = false;
                return new FlushResult(isCanceled: true, isCompleted: false);
            }

            canceled = _canceled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        try
        {
            var first = await Task.WhenAny(send, canceled.Task).WaitAsync(cancellationToken).ConfigureAwait(false);
            return first == send
                ? new FlushResult(isCanceled: false, isCompleted: _failed)
                : new FlushResult(isCanceled: true, isCompleted: false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new FlushResult(isCanceled: true, isCompleted: false);
        }
        finally
        {
            lock (_lock)
            {
                _canceled = null;
            }
        }
    }

    // The send to its end; the buffer goes back to the pool only then, whoever stopped waiting for it.
    private async Task SendAsync(ValueTask send, byte[] buffer)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch
        {
            _failed = true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Without a buffer nothing is written (_written is reset with it), so a fresh one of the hint's size needs no growing.
    private void Ensure(int sizeHint)
    {
        var buffer = _buffer ?? ArrayPool<byte>.Shared.Rent(Math.Max(sizeHint, MinimumBuffer));
        Delivery.PooledBufferWriter.Grow(ref buffer, _written, sizeHint);
        _buffer = buffer;
    }
}
