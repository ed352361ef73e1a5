using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace LiveIm.Nats.Internal;

/// <summary>
/// Parses server operations from a <see cref="ReadOnlySequence{T}"/>, which may end mid-operation and be
/// split across segments anywhere. Grammar: https://docs.nats.io/reference/reference-protocols/nats-protocol.
/// Fields are separated by one or more spaces or tabs; every control line and payload ends with ␍␊.
/// </summary>
internal static class NatsParser
{
    /// <summary>
    /// Longest control line accepted before its ␍␊ must have appeared. The server limits client lines to
    /// 4 KiB (max_control_line); a MSG line holds two subjects and two numbers, so 64 KiB is ample headroom,
    /// and anything longer means the stream is not NATS.
    /// </summary>
    public const int MaxControlLine = 64 * 1024;

    /// <summary>The server's hard ceiling for max_payload is 64 MiB; a larger size means a corrupt stream.</summary>
    public const int MaxMessageSize = 64 * 1024 * 1024;

    // Lines up to this size are copied to the stack when they straddle segments (a typical MSG line is < 100 bytes).
    private const int StackLineSize = 256;

    /// <summary>
    /// Parses one operation from the start of <paramref name="buffer"/> and slices it off. Returns false, leaving
    /// <paramref name="buffer"/> untouched, when the operation is not complete yet. Throws
    /// <see cref="NatsException"/> on a protocol error (the connection must then be dropped).
    /// </summary>
    public static bool TryParse(ref ReadOnlySequence<byte> buffer, out ServerOp op)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSequence, ProtocolStrings.Crlf, advancePastDelimiter: true))
        {
            if (buffer.Length > MaxControlLine)
            {
                throw new NatsException($"Protocol error: no line end within {MaxControlLine} bytes.");
            }

            op = default;
            return false;
        }

        if (lineSequence.Length > MaxControlLine)
        {
            throw new NatsException($"Protocol error: control line longer than {MaxControlLine} bytes.");
        }

        byte[]? rented = null;
        try
        {
            scoped ReadOnlySpan<byte> line;
            if (lineSequence.IsSingleSegment)
            {
                line = lineSequence.FirstSpan;
            }
            else
            {
                var length = (int)lineSequence.Length;
                Span<byte> copy = length <= StackLineSize
                    ? stackalloc byte[StackLineSize]
                    : (rented = ArrayPool<byte>.Shared.Rent(length));
                lineSequence.CopyTo(copy);
                line = copy[..length];
            }

            if (!TryParseLine(line, ref reader, out op))
            {
                return false;
            }

            buffer = buffer.Slice(reader.Position);
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Parses a header block (<c>NATS/1.0[ status[ description]]␍␊(name: value␍␊)*␍␊</c>).</summary>
    public static NatsHeaders ParseHeaders(ReadOnlySpan<byte> block)
    {
        var headers = new NatsHeaders();
        var lineEnd = block.IndexOf(ProtocolStrings.Crlf);
        if (lineEnd < 0 || !block.StartsWith(NatsHeaders.Version))
        {
            throw new NatsException("Protocol error: header block does not start with NATS/1.0.");
        }

        // Version line: "NATS/1.0 503" or "NATS/1.0 408 Request Timeout".
        var status = TrimSpaces(block[NatsHeaders.Version.Length..lineEnd]);
        if (!status.IsEmpty)
        {
            var codeEnd = status.IndexOfAny((byte)' ', (byte)'\t');
            var code = codeEnd < 0 ? status : status[..codeEnd];
            if (Utf8Parser.TryParse(code, out int statusCode, out var consumed) && consumed == code.Length)
            {
                headers.StatusCode = statusCode;
            }

            if (codeEnd >= 0)
            {
                var description = TrimSpaces(status[codeEnd..]);
                if (!description.IsEmpty)
                {
                    headers.StatusDescription = Encoding.UTF8.GetString(description);
                }
            }
        }

        var rest = block[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf(ProtocolStrings.Crlf);
            var headerLine = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? default : rest[(lineEnd + 2)..];
            if (headerLine.IsEmpty)
            {
                // The blank line that ends the block.
                break;
            }

            // "name: value"; the value keeps inner spaces but not the ones around it.
            var colon = headerLine.IndexOf((byte)':');
            if (colon <= 0)
            {
                throw new NatsException("Protocol error: header line without a name.");
            }

            headers.AddParsed(
                Encoding.UTF8.GetString(TrimSpaces(headerLine[..colon])),
                Encoding.UTF8.GetString(TrimSpaces(headerLine[(colon + 1)..])));
        }

        return headers;
    }

    private static bool TryParseLine(scoped ReadOnlySpan<byte> line, ref SequenceReader<byte> reader, out ServerOp op)
    {
        var nameEnd = line.IndexOfAny((byte)' ', (byte)'\t');
        var name = nameEnd < 0 ? line : line[..nameEnd];
        var args = nameEnd < 0 ? default : line[(nameEnd + 1)..];

        // MSG <subject> <sid> [reply-to] <#bytes>␍␊[payload]␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Msg))
        {
            return TryParseMsg(args, ref reader, withHeaders: false, out op);
        }

        // HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>␍␊[headers]␍␊␍␊[payload]␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.HMsg))
        {
            return TryParseMsg(args, ref reader, withHeaders: true, out op);
        }

        // PING␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Ping))
        {
            op = ServerOp.PingOp;
            return true;
        }

        // PONG␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Pong))
        {
            op = ServerOp.PongOp;
            return true;
        }

        // +OK␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Ok))
        {
            op = ServerOp.OkOp;
            return true;
        }

        // -ERR <error message>␍␊   (the message is in single quotes: -ERR 'Authorization Violation')
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Err))
        {
            var text = TrimSpaces(args);
            if (text.Length >= 2 && text[0] == (byte)'\'' && text[^1] == (byte)'\'')
            {
                text = text[1..^1];
            }

            op = new ServerOp(ServerOpKind.Err, Text: Encoding.UTF8.GetString(text));
            return true;
        }

        // INFO {["option_name":option_value],...}␍␊
        if (System.Text.Ascii.EqualsIgnoreCase(name, ProtocolStrings.Info))
        {
            op = new ServerOp(ServerOpKind.Info, Text: Encoding.UTF8.GetString(TrimSpaces(args)));
            return true;
        }

        throw new NatsException($"Protocol error: unknown operation '{Encoding.ASCII.GetString(name[..Math.Min(name.Length, 16)])}'.");
    }

    private static bool TryParseMsg(scoped ReadOnlySpan<byte> args, ref SequenceReader<byte> reader, bool withHeaders, out ServerOp op)
    {
        Span<Range> fields = stackalloc Range[5];
        var count = Tokenize(args, fields);
        var minFields = withHeaders ? 4 : 3;
        if (count < minFields || count > minFields + 1)
        {
            throw new NatsException($"Protocol error: {(withHeaders ? "HMSG" : "MSG")} with {count} fields.");
        }

        var hasReply = count == minFields + 1;
        var totalSize = ParseSize(args[fields[count - 1]]);
        var headerSize = withHeaders ? ParseSize(args[fields[count - 2]]) : 0;
        if (headerSize > totalSize)
        {
            throw new NatsException("Protocol error: HMSG header size exceeds total size.");
        }

        // Payload and its ␍␊ must be complete before we consume anything.
        if (reader.Remaining < totalSize + 2L)
        {
            op = default;
            return false;
        }

        var sidField = args[fields[1]];
        if (!Utf8Parser.TryParse(sidField, out long sid, out var consumed) || consumed != sidField.Length)
        {
            throw new NatsException("Protocol error: subscription id is not a number.");
        }

        // A fresh array: NatsMsg.Data belongs to the receiver after the handler returns.
        var block = totalSize == 0 ? [] : new byte[totalSize];
        reader.UnreadSequence.Slice(0, totalSize).CopyTo(block);
        reader.Advance(totalSize);
        if (!reader.IsNext(ProtocolStrings.Crlf, advancePast: true))
        {
            throw new NatsException("Protocol error: payload not followed by CRLF.");
        }

        var headers = withHeaders ? ParseHeaders(block.AsSpan(0, headerSize)) : null;
        op = new ServerOp(
            ServerOpKind.Msg,
            Subject: Encoding.UTF8.GetString(args[fields[0]]),
            Sid: sid,
            ReplyTo: hasReply ? Encoding.UTF8.GetString(args[fields[2]]) : null,
            Payload: block.AsMemory(headerSize),
            Headers: headers);
        return true;
    }

    private static int ParseSize(ReadOnlySpan<byte> field)
    {
        if (!Utf8Parser.TryParse(field, out int size, out var consumed) || consumed != field.Length || size < 0 || size > MaxMessageSize)
        {
            throw new NatsException("Protocol error: invalid message size.");
        }

        return size;
    }

    /// <summary>Splits on runs of spaces and tabs; returns the count, or one more than fits when there are too many.</summary>
    private static int Tokenize(ReadOnlySpan<byte> text, Span<Range> fields)
    {
        var count = 0;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsDelimiter(text[i]))
            {
                i++;
            }

            if (i == text.Length)
            {
                break;
            }

            var start = i;
            while (i < text.Length && !IsDelimiter(text[i]))
            {
                i++;
            }

            if (count == fields.Length)
            {
                return count + 1;
            }

            fields[count++] = start..i;
        }

        return count;
    }

    private static bool IsDelimiter(byte b) => b is (byte)' ' or (byte)'\t';

    private static ReadOnlySpan<byte> TrimSpaces(ReadOnlySpan<byte> text)
    {
        var start = 0;
        while (start < text.Length && IsDelimiter(text[start]))
        {
            start++;
        }

        var end = text.Length;
        while (end > start && IsDelimiter(text[end - 1]))
        {
            end--;
        }

        return text[start..end];
    }
}
