using System.Buffers;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one array from <see cref="ArrayPool{T}.Shared"/>, grown by renting a bigger
/// one; <see cref="Detach"/> hands the array to the caller (who returns it to the pool).
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _written;

    /// <param name="capacity">The expected size (the first array rented).</param>
    /// <param name="reserve">Bytes left free at the start (for a length prefix written once the size is known).</param>
    public PooledBufferWriter(int capacity, int reserve)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, reserve + 16));
        _written = reserve;
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>The array (reserved bytes included) and how much of it is written; the writer is not usable after.</summary>
    public byte[] Detach(out int written)
    {
        written = _written;
        var buffer = _buffer;
        _buffer = [];
        return buffer;
    }

    private void Ensure(int sizeHint) => Grow(ref _buffer, _written, sizeHint);

    /// <summary>
    /// Makes room for <paramref name="sizeHint"/> more bytes (at least one) after <paramref name="written"/>: when the
    /// array is too small, rents one at least twice its size, copies what is written and returns the old one to the pool.
    /// </summary>
    internal static void Grow(ref byte[] buffer, int written, int sizeHint)
    {
        var needed = written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, written).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }
}
