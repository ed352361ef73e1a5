using System.Buffers;
using System.Globalization;
using System.Text;

namespace LiveIm.Redis.Protocol;

/// <summary>
/// Reads RESP2 replies from a <see cref="ReadOnlySequence{T}"/> that may end anywhere, even in the
/// middle of a length header or a CRLF. Grammar: https://redis.io/docs/latest/develop/reference/protocol-spec/
/// </summary>
/// <remarks>
/// A reply is either read whole or not at all: when the buffer ends early, <see cref="TryRead"/>
/// returns false and leaves the buffer untouched, and the caller retries with more bytes. That keeps
/// the parser free of saved state; the price is re-scanning a partly received reply, which is cheap
/// because bulk payloads are skipped by length, not scanned.
/// </remarks>
internal static class RespParser
{
    /// <summary>
    /// Longest header or simple line accepted while still waiting for its CRLF. Real lines are short
    /// (an error message, a length); a peer that sends 64 KiB without CRLF is not speaking RESP.
    /// </summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>Redis' own default <c>proto-max-bulk-len</c> (512 MB); longer is not a Redis reply.</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Deepest array nesting accepted. Redis replies nest 3 or 4 levels (XRANGE); the limit only keeps
    /// a hostile peer from exhausting the stack through recursion.
    /// </summary>
    public const int MaxDepth = 128;

    // The shortest possible element, "+\r\n", is 3 bytes: an array announcing more elements than
    // remaining/3 cannot be complete yet, so we wait instead of allocating for a count we cannot trust.
    private const int MinElementLength = 3;

    // ":-9223372036854775808" is 20 bytes after the prefix; anything past 32 is not a number.
    private const int MaxNumberLength = 32;

    /// <summary>
    /// Reads one complete reply from the front of <paramref name="buffer"/> and slices it off.
    /// Returns false (buffer untouched) when the reply is incomplete.
    /// </summary>
    /// <exception cref="RedisProtocolException">The bytes are not valid RESP2.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RedisValue value)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryReadValue(ref reader, depth: 0, out value))
        {
            value = default;
            return false;
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryReadValue(ref SequenceReader<byte> reader, int depth, out RedisValue value)
    {
        value = default;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        switch (prefix)
        {
            case RespLiterals.SimpleStringPrefix:
            {
                // Simple strings: "+<data>\r\n" — data may not contain CR or LF.
                if (!TryReadLine(ref reader, out var line))
                {
                    return false;
                }

                value = RedisValue.FromSimpleString(DecodeText(line));
                return true;
            }

            case RespLiterals.ErrorPrefix:
            {
                // Simple errors: "-<message>\r\n" — same shape as simple strings.
                if (!TryReadLine(ref reader, out var line))
                {
                    return false;
                }

                value = RedisValue.FromError(DecodeText(line));
                return true;
            }

            case RespLiterals.IntegerPrefix:
            {
                // Integers: ":[<+|->]<value>\r\n" — a signed, base-10, 64-bit integer.
                if (!TryReadInteger(ref reader, out var integer))
                {
                    return false;
                }

                value = RedisValue.FromInteger(integer);
                return true;
            }

            case RespLiterals.BulkStringPrefix:
                return TryReadBulkString(ref reader, out value);

            case RespLiterals.ArrayPrefix:
                return TryReadArray(ref reader, depth, out value);

            default:
                throw new RedisProtocolException(
                    $"Unexpected RESP type byte 0x{prefix:X2} ('{(char)prefix}'); expected one of + - : $ *.");
        }
    }

    private static bool TryReadBulkString(ref SequenceReader<byte> reader, out RedisValue value)
    {
        value = default;

        // Bulk strings: "$<length>\r\n<data>\r\n".
        if (!TryReadInteger(ref reader, out var length))
        {
            return false;
        }

        if (length == -1)
        {
            // Null bulk strings: "$-1\r\n" — RESP2's null (GET of a missing key).
            value = RedisValue.Null;
            return true;
        }

        if (length < 0 || length > MaxBulkLength)
        {
            throw new RedisProtocolException($"Invalid bulk string length {length}.");
        }

        if (reader.Remaining < length + RespLiterals.Crlf.Length)
        {
            return false;
        }

        var payload = reader.UnreadSequence.Slice(0, length).ToArray();
        reader.Advance(length);
        if (!reader.IsNext(RespLiterals.Crlf, advancePast: true))
        {
            throw new RedisProtocolException($"Bulk string of {length} bytes is not followed by CRLF.");
        }

        value = RedisValue.FromBulkString(payload);
        return true;
    }

    private static bool TryReadArray(ref SequenceReader<byte> reader, int depth, out RedisValue value)
    {
        value = default;

        // Arrays: "*<number-of-elements>\r\n<element-1>...<element-n>".
        if (!TryReadInteger(ref reader, out var count))
        {
            return false;
        }

        if (count == -1)
        {
            // Null arrays: "*-1\r\n" (BLPOP that timed out, EXEC of an aborted transaction).
            value = RedisValue.Null;
            return true;
        }

        if (count < 0 || count > int.MaxValue)
        {
            throw new RedisProtocolException($"Invalid array length {count}.");
        }

        if (depth >= MaxDepth)
        {
            throw new RedisProtocolException($"Arrays nested deeper than {MaxDepth} levels.");
        }

        if (count > reader.Remaining / MinElementLength)
        {
            return false;
        }

        var items = count == 0 ? [] : new RedisValue[count];
        for (var i = 0; i < items.Length; i++)
        {
            // Nested arrays: each element is itself any RESP value, including another array.
            if (!TryReadValue(ref reader, depth + 1, out items[i]))
            {
                return false;
            }
        }

        value = RedisValue.FromArray(items);
        return true;
    }

    /// <summary>Reads up to and past the next CRLF; the line must not contain a lone CR or LF.</summary>
    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySequence<byte> line)
    {
        if (!reader.TryReadTo(out line, RespLiterals.Crlf, advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxLineLength)
            {
                throw new RedisProtocolException($"No CRLF within {MaxLineLength} bytes.");
            }

            return false;
        }

        if (line.PositionOf(RespLiterals.CarriageReturn) is not null || line.PositionOf(RespLiterals.LineFeed) is not null)
        {
            throw new RedisProtocolException("A line contains a bare CR or LF.");
        }

        return true;
    }

    /// <summary>Reads "[+|-]digits\r\n" (integer replies and the length headers of bulk strings and arrays).</summary>
    private static bool TryReadInteger(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        if (!TryReadLine(ref reader, out var line))
        {
            return false;
        }

        if (line.Length is 0 or > MaxNumberLength)
        {
            throw new RedisProtocolException($"Invalid integer of {line.Length} bytes.");
        }

        Span<byte> digits = stackalloc byte[MaxNumberLength];
        line.CopyTo(digits);
        if (!long.TryParse(digits[..(int)line.Length], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
        {
            throw new RedisProtocolException($"Invalid integer '{Encoding.ASCII.GetString(digits[..(int)line.Length])}'.");
        }

        return true;
    }

    private static string DecodeText(ReadOnlySequence<byte> line) =>
        line.IsSingleSegment ? Encoding.UTF8.GetString(line.FirstSpan) : Encoding.UTF8.GetString(line.ToArray());
}
