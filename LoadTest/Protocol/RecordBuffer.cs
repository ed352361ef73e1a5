using System.Buffers;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// Bytes received from the WebSocket, cut into records at the <c>0x1E</c> separator: the frame reading of the lean
/// receivers and the raw server (the measuring instrument's own, not a product client: docs/loadtest.md). After
/// <see cref="UseLengthPrefix"/> it cuts MessagePack hub protocol records instead: each is a VarInt length and as many
/// bytes (the handshake answer before it is still JSON ended by 0x1E).
/// </summary>
/// <remarks>
/// The transport is treated as a byte stream: "one WebSocket text message may contain several records" and a record
/// may arrive over several frames, so framing ignores WebSocket message boundaries. Bytes are appended at the tail;
/// records are read from the head without copying; leftover bytes of a partial record move to the front only when
/// the tail runs out of room. Each byte is scanned for the separator once.
///
/// The array is rented from <see cref="ArrayPool{T}.Shared"/> and handed back by <see cref="ReleaseIfEmpty"/>, so an
/// idle connection (the common case among 20,000 load-test clients) holds no receive buffer at all.
/// Not thread-safe: only the receive loop uses it.
/// </remarks>
public sealed class RecordBuffer : IDisposable
{
    /// <summary>The SignalR record separator (0x1E) that ends every message of the JSON hub protocol.</summary>
    public const byte Separator = 0x1E;

    private readonly int _initialSize;
    private readonly int _maxRecordSize;
    private byte[]? _buffer;
    private int _start;   // first byte of the oldest unread record
    private int _end;     // one past the last received byte
    private int _scanned; // bytes in [_start, _scanned) hold no separator
    private bool _lengthPrefixed;

    public RecordBuffer(int initialSize, int maxRecordSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSize, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordSize, initialSize);
        _initialSize = initialSize;
        _maxRecordSize = maxRecordSize;
    }

    /// <summary>From now on, records are VarInt length-prefixed (the MessagePack hub protocol), not separated.</summary>
    public void UseLengthPrefix() => _lengthPrefixed = true;

    /// <summary>True when no received byte is waiting to be read.</summary>
    public bool IsEmpty => _start == _end;

    /// <summary>True while a pooled array is held (an idle connection holds none).</summary>
    public bool HoldsArray => _buffer is not null;

    /// <summary>
    /// Free space at the tail to receive into. Compacts or grows first when the tail is full.
    /// Throws <see cref="InvalidDataException"/> when a single record would exceed the maximum size.
    /// </summary>
    public Memory<byte> GetMemory()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_initialSize);
            _start = _end = _scanned = 0;
        }
        else if (_end == _buffer.Length)
        {
            var pending = _end - _start;
            if (pending >= _maxRecordSize)
            {
                throw new InvalidDataException(
                    $"A message from the server exceeded the maximum of {_maxRecordSize} bytes without a record separator.");
            }

            if (_start > 0 && pending <= _buffer.Length / 2)
            {
                // At least half the array is free at the front: move the partial record there.
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }
            else
            {
                var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _maxRecordSize));
                _buffer.AsSpan(_start, pending).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = grown;
            }

            _scanned -= _start;
            _end = pending;
            _start = 0;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>Marks <paramref name="count"/> bytes written into the memory from <see cref="GetMemory"/>.</summary>
    public void Advance(int count)
    {
        if (_buffer is null || count < 0 || _end + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _end += count;
    }

    /// <summary>
    /// Takes the next complete record, without its separator. The memory stays valid until the next
    /// <see cref="GetMemory"/> or <see cref="ReleaseIfEmpty"/>.
    /// </summary>
    public bool TryReadRecord(out ReadOnlyMemory<byte> record)
    {
        if (_buffer is null)
        {
            record = default;
            return false;
        }

        if (_lengthPrefixed)
        {
            return TryReadPrefixedRecord(out record);
        }

        var index = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf(Separator);
        if (index < 0)
        {
            _scanned = _end;
            record = default;
            return false;
        }

        var separator = _scanned + index;
        record = _buffer.AsMemory(_start, separator - _start);
        _start = _scanned = separator + 1;
        if (_start == _end)
        {
            // Everything read: next receive starts at the front again, so the array never needs compacting.
            _start = _end = _scanned = 0;
        }

        return true;
    }

    private bool TryReadPrefixedRecord(out ReadOnlyMemory<byte> record)
    {
        record = default;
        long length = 0;
        var prefix = 0;
        while (true)
        {
            if (_start + prefix >= _end)
            {
                return false;
            }

            var b = _buffer![_start + prefix];
            length |= (long)(b & 0x7f) << (7 * prefix);
            prefix++;
            if ((b & 0x80) == 0)
            {
                break;
            }

            if (prefix == 5)
            {
                throw new InvalidDataException("A MessagePack record's length prefix is longer than 5 bytes.");
            }
        }

        if (length > _maxRecordSize)
        {
            throw new InvalidDataException($"A message from the server of {length} bytes exceeds the maximum of {_maxRecordSize} bytes.");
        }

        if (_end - _start - prefix < length)
        {
            return false;
        }

        record = _buffer.AsMemory(_start + prefix, (int)length);
        _start = _scanned = _start + prefix + (int)length;
        if (_start == _end)
        {
            _start = _end = _scanned = 0;
        }

        return true;
    }

    /// <summary>Returns the array to the pool when nothing is pending, so an idle connection holds no buffer.</summary>
    public void ReleaseIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = _scanned = 0;
        }
    }

    /// <summary>Returns the array to the pool, dropping any partial record.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = _end = _scanned = 0;
    }
}
