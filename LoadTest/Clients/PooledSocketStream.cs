using System.Buffers;
using System.Net.Sockets;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// The stream under a receiver's <see cref="System.Net.WebSockets.WebSocket"/>: reads from the socket in 16 KB gulps
/// into a pooled buffer held only while bytes are pending, writes straight through.
/// </summary>
/// <remarks>
/// Why not NetworkStream: the managed WebSocket reads a frame header into a small internal buffer and then the payload,
/// so a stream of 200-byte frames costs about two <c>recv</c> calls per frame. One gulp here serves dozens of frames
/// from memory. Waiting for data is a zero-byte receive, so an idle connection holds no buffer at all.
/// Reads and writes may run concurrently (one of each), as the WebSocket does.
/// </remarks>
internal sealed class PooledSocketStream : Stream
{
    /// <summary>16 KB: about 80 frames of one ~200-byte event; large enough to drain a busy socket in one call.</summary>
    private const int GulpSize = 16 * 1024;

    private readonly Socket _socket;
    private byte[]? _buffer;
    private int _offset;
    private int _count;

    /// <param name="socket">A connected socket; the stream owns it.</param>
    /// <param name="prefix">Bytes already read past the HTTP upgrade response (normally none).</param>
    public PooledSocketStream(Socket socket, ReadOnlySpan<byte> prefix)
    {
        _socket = socket;
        if (!prefix.IsEmpty)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(GulpSize, prefix.Length));
            prefix.CopyTo(_buffer);
            _count = prefix.Length;
        }
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_count == 0)
        {
            if (destination.IsEmpty)
            {
                return await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            if (destination.Length >= GulpSize)
            {
                return await _socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }

            // Wait for data without a buffer, then take everything that is there in one call.
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(GulpSize);
            var received = await _socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (received == 0)
            {
                Release();
                return 0;
            }

            _offset = 0;
            _count = received;
        }

        var n = Math.Min(_count, destination.Length);
        _buffer.AsSpan(_offset, n).CopyTo(destination.Span);
        _offset += n;
        _count -= n;
        if (_count == 0)
        {
            Release();
        }

        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (!source.IsEmpty)
        {
            var sent = await _socket.SendAsync(source, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            source = source[sent..];
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("async only");

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The buffer is not returned here: a read may still be copying out of it on another thread.
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _offset = _count = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
