using System.Buffers;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// Cuts the bytes of a SignalR JSON connection into records at the 0x1E separator, ignoring WebSocket message
/// boundaries: "one WebSocket message may contain several records" and a record may span several messages
/// (https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md, JSON encoding).
/// </summary>
/// <remarks>
/// Receive straight into <see cref="GetMemory"/>, then <see cref="Advance"/> and read records in place (no copy
/// when a message holds whole records, the common case). The array is rented from <see cref="ArrayPool{T}.Shared"/>
/// only while bytes are pending and handed back by <see cref="ReleaseIfEmpty"/>: an idle connection — most of
/// 10,000 receivers between two events — holds no buffer. Single-threaded: one receive loop owns it.
/// </remarks>
public sealed class RecordSplitter : IDisposable
{
    /// <summary>"All JSON messages must be terminated by the ASCII character 0x1E (record separator)."</summary>
    public const byte Separator = 0x1E;

    private readonly int _initialSize;
    private readonly int _maxRecordSize;
    private byte[]? _buffer;
    private int _start;   // first unread byte
    private int _end;     // one past the last received byte
    private int _scanned; // [_start, _scanned) is known to hold no separator

    /// <param name="initialSize">Size of the rented buffer; 4 KB holds a typical frame of a few merged events.</param>
    /// <param name="maxRecordSize">A record larger than this is an error (a broken or hostile peer).</param>
    public RecordSplitter(int initialSize = 4096, int maxRecordSize = 4 * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialSize, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordSize, initialSize);
        _initialSize = initialSize;
        _maxRecordSize = maxRecordSize;
    }

    /// <summary>True when no received byte is waiting.</summary>
    public bool IsEmpty => _start == _end;

    /// <summary>True while a pooled array is held.</summary>
    public bool HoldsBuffer => _buffer is not null;

    /// <summary>Free space at the tail to receive into; compacts or grows when the tail is full.</summary>
    /// <exception cref="InvalidDataException">A single record outgrew the maximum size.</exception>
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
                throw new InvalidDataException($"A record exceeded {_maxRecordSize} bytes without a 0x1E separator.");
            }

            if (_start > 0 && pending <= _buffer.Length / 2)
            {
                // At least half the array is free at the front: slide the partial record there.
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            }
            else
            {
                var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _maxRecordSize + 1L));
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

    /// <summary>Copies <paramref name="bytes"/> in (for callers that did not receive into <see cref="GetMemory"/>).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var memory = GetMemory().Span;
            var n = Math.Min(memory.Length, bytes.Length);
            bytes[..n].CopyTo(memory);
            Advance(n);
            bytes = bytes[n..];
        }
    }

    /// <summary>
    /// The next complete record without its separator. Valid until the next <see cref="GetMemory"/>,
    /// <see cref="Append"/> or <see cref="ReleaseIfEmpty"/>.
    /// </summary>
    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        record = default;
        if (_buffer is null)
        {
            return false;
        }

        var index = _buffer.AsSpan(_scanned, _end - _scanned).IndexOf(Separator);
        if (index < 0)
        {
            _scanned = _end;
            return false;
        }

        var separator = _scanned + index;
        record = _buffer.AsSpan(_start, separator - _start);
        _start = _scanned = separator + 1;
        if (_start == _end)
        {
            // All read: the next receive starts at the front, so a steady stream of whole records never compacts.
            _start = _end = _scanned = 0;
        }

        return true;
    }

    /// <summary>Returns the array to the pool when nothing is pending.</summary>
    public void ReleaseIfEmpty()
    {
        if (_buffer is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = _scanned = 0;
        }
    }

    /// <summary>Returns the array, dropping any partial record.</summary>
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
