using System.Buffers.Binary;

namespace LiveIm.LoadTest.Protocol;

/// <summary>
/// A forward-only reader of the few MessagePack formats a SignalR record of LiveIm carries (arrays, maps, strings,
/// integers, nil), and a skip over any value: what the lean receivers need, without a serializer. Every read checks
/// the bounds and answers false on anything truncated or unexpected; nothing throws, nothing allocates.
/// Spec: https://github.com/msgpack/msgpack/blob/master/spec.md
/// </summary>
public ref struct MessagePackCursor
{
    private readonly ReadOnlySpan<byte> _data;
    private int _at;

    public MessagePackCursor(ReadOnlySpan<byte> data)
    {
        _data = data;
        _at = 0;
    }

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _at;

    /// <summary>True when every byte was read.</summary>
    public readonly bool End => _at >= _data.Length;

    /// <summary>Reads an array header (fixarray, array 16, array 32).</summary>
    public bool TryReadArrayHeader(out int count) => TryReadHeader(0x90, 0xdc, out count);

    /// <summary>Reads a map header (fixmap, map 16, map 32): <paramref name="count"/> key/value pairs follow.</summary>
    public bool TryReadMapHeader(out int count) => TryReadHeader(0x80, 0xde, out count);

    /// <summary>Reads a string (fixstr, str 8/16/32) as its UTF-8 bytes.</summary>
    public bool TryReadString(out ReadOnlySpan<byte> utf8)
    {
        utf8 = default;
        if (End)
        {
            return false;
        }

        var code = _data[_at];
        long length;
        int header;
        switch (code)
        {
            case >= 0xa0 and <= 0xbf:
                length = code & 0x1f;
                header = 1;
                break;
            case 0xd9:
                header = 2;
                if (!Has(header))
                {
                    return false;
                }

                length = _data[_at + 1];
                break;
            case 0xda:
                header = 3;
                if (!Has(header))
                {
                    return false;
                }

                length = BinaryPrimitives.ReadUInt16BigEndian(_data[(_at + 1)..]);
                break;
            case 0xdb:
                header = 5;
                if (!Has(header))
                {
                    return false;
                }

                length = BinaryPrimitives.ReadUInt32BigEndian(_data[(_at + 1)..]);
                break;
            default:
                return false;
        }

        if (!Has(header + length))
        {
            return false;
        }

        utf8 = _data.Slice(_at + header, (int)length);
        _at += header + (int)length;
        return true;
    }

    /// <summary>Reads an integer of any MessagePack integer format (uint 64 above <see cref="long.MaxValue"/> is refused).</summary>
    public bool TryReadInteger(out long value)
    {
        value = 0;
        if (End)
        {
            return false;
        }

        var code = _data[_at];
        var rest = _data[(_at + 1)..];
        (int Size, long Read) parsed = code switch
        {
            <= 0x7f => (1, (long)code),
            >= 0xe0 => (1, (long)(sbyte)code),
            0xcc when rest.Length >= 1 => (2, (long)rest[0]),
            0xcd when rest.Length >= 2 => (3, (long)BinaryPrimitives.ReadUInt16BigEndian(rest)),
            0xce when rest.Length >= 4 => (5, (long)BinaryPrimitives.ReadUInt32BigEndian(rest)),
            0xcf when rest.Length >= 8 && BinaryPrimitives.ReadUInt64BigEndian(rest) <= long.MaxValue => (9, (long)BinaryPrimitives.ReadUInt64BigEndian(rest)),
            0xd0 when rest.Length >= 1 => (2, (long)(sbyte)rest[0]),
            0xd1 when rest.Length >= 2 => (3, (long)BinaryPrimitives.ReadInt16BigEndian(rest)),
            0xd2 when rest.Length >= 4 => (5, (long)BinaryPrimitives.ReadInt32BigEndian(rest)),
            0xd3 when rest.Length >= 8 => (9, BinaryPrimitives.ReadInt64BigEndian(rest)),
            _ => (0, 0L),
        };
        var (size, read) = parsed;
        if (size == 0)
        {
            return false;
        }

        value = read;
        _at += size;
        return true;
    }

    /// <summary>Reads a nil when the next value is one.</summary>
    public bool TryReadNil()
    {
        if (End || _data[_at] != 0xc0)
        {
            return false;
        }

        _at++;
        return true;
    }

    /// <summary>Skips one value, containers included (iteratively: a hostile nesting cannot exhaust the stack).</summary>
    public bool TrySkip()
    {
        for (long pending = 1; pending > 0; pending--)
        {
            if (End)
            {
                return false;
            }

            var code = _data[_at];
            if (code is (>= 0x90 and <= 0x9f) or 0xdc or 0xdd)
            {
                if (!TryReadArrayHeader(out var items))
                {
                    return false;
                }

                pending += items;
                continue;
            }

            if (code is (>= 0x80 and <= 0x8f) or 0xde or 0xdf)
            {
                if (!TryReadMapHeader(out var pairs))
                {
                    return false;
                }

                pending += 2L * pairs;
                continue;
            }

            if (code is (>= 0xa0 and <= 0xbf) or 0xd9 or 0xda or 0xdb)
            {
                if (!TryReadString(out _))
                {
                    return false;
                }

                continue;
            }

            var size = ScalarSize(code);
            if (size is not { } n || !Has(n))
            {
                return false;
            }

            _at += (int)n;
        }

        return true;
    }

    // Size of a value that is neither a container nor a string, header included; null for the unused code 0xc1.
    private readonly long? ScalarSize(byte code)
    {
        var rest = _data[(_at + 1)..];
        return code switch
        {
            <= 0x7f or >= 0xe0 or 0xc0 or 0xc2 or 0xc3 => 1,
            0xcc or 0xd0 => 2,
            0xcd or 0xd1 => 3,
            0xce or 0xd2 or 0xca => 5,
            0xcf or 0xd3 or 0xcb => 9,
            0xd4 => 3, // fixext 1: type + 1 byte
            0xd5 => 4,
            0xd6 => 6,
            0xd7 => 10,
            0xd8 => 18,
            0xc4 when rest.Length >= 1 => 2 + rest[0], // bin 8
            0xc5 when rest.Length >= 2 => 3 + BinaryPrimitives.ReadUInt16BigEndian(rest),
            0xc6 when rest.Length >= 4 => 5L + BinaryPrimitives.ReadUInt32BigEndian(rest),
            0xc7 when rest.Length >= 1 => 3 + rest[0], // ext 8: length, type, data
            0xc8 when rest.Length >= 2 => 4 + BinaryPrimitives.ReadUInt16BigEndian(rest),
            0xc9 when rest.Length >= 4 => 6L + BinaryPrimitives.ReadUInt32BigEndian(rest),
            _ => null,
        };
    }

    private bool TryReadHeader(byte fix, byte code16, out int count)
    {
        count = 0;
        if (End)
        {
            return false;
        }

        var code = _data[_at];
        if (code >= fix && code <= fix + 0x0f)
        {
            count = code & 0x0f;
            _at++;
            return true;
        }

        if (code == code16 && Has(3))
        {
            count = BinaryPrimitives.ReadUInt16BigEndian(_data[(_at + 1)..]);
            _at += 3;
            return true;
        }

        // 32-bit counts: a count beyond the bytes left cannot be real (each item takes at least one byte).
        if (code == code16 + 1 && Has(5) && BinaryPrimitives.ReadUInt32BigEndian(_data[(_at + 1)..]) is var big && big <= (uint)(_data.Length - _at - 5))
        {
            count = (int)big;
            _at += 5;
            return true;
        }

        return false;
    }

    private readonly bool Has(long bytes) => _data.Length - _at >= bytes;
}
