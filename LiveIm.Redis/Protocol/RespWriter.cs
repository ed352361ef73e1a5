using System.Buffers;
using System.Globalization;
using System.Text;

namespace LiveIm.Redis.Protocol;

/// <summary>
/// Serializes commands the way the spec asks clients to send them: "a client sends the Redis server
/// an array consisting of only bulk strings" (https://redis.io/docs/latest/develop/reference/protocol-spec/#sending-commands-to-a-redis-server).
/// </summary>
internal static class RespWriter
{
    // Bulk payloads larger than this are copied in pieces, so a 1 MB value never asks the pipe for
    // a single 1 MB segment; 16 KiB is a few pooled pipe segments (4 KiB each) and one TCP send.
    private const int ChunkSize = 16 * 1024;

    // "*" or "$", up to 11 digits of an int length, CRLF.
    private const int MaxHeaderLength = 16;

    /// <summary>Writes <c>*&lt;n&gt;\r\n</c> followed by the command name and each argument as bulk strings; returns the bytes written.</summary>
    public static long WriteCommand(IBufferWriter<byte> output, string command, IReadOnlyList<RedisArg> args)
    {
        long written = WriteHeader(output, RespLiterals.ArrayPrefix, args.Count + 1);
        written += WriteBulkString(output, command);
        for (var i = 0; i < args.Count; i++)
        {
            written += WriteBulkString(output, args[i]);
        }

        return written;
    }

    private static int WriteHeader(IBufferWriter<byte> output, byte prefix, int number)
    {
        var span = output.GetSpan(MaxHeaderLength);
        span[0] = prefix;
        number.TryFormat(span[1..], out var digits, default, CultureInfo.InvariantCulture);
        RespLiterals.Crlf.CopyTo(span[(1 + digits)..]);
        var length = 1 + digits + RespLiterals.Crlf.Length;
        output.Advance(length);
        return length;
    }

    private static long WriteBulkString(IBufferWriter<byte> output, RedisArg arg)
    {
        if (arg.TryGetBytes(out var bytes) && bytes.Length > ChunkSize)
        {
            var header = WriteHeader(output, RespLiterals.BulkStringPrefix, bytes.Length);
            var remaining = bytes.Span;
            while (!remaining.IsEmpty)
            {
                var span = output.GetSpan(Math.Min(remaining.Length, ChunkSize));
                var piece = Math.Min(span.Length, remaining.Length);
                remaining[..piece].CopyTo(span);
                output.Advance(piece);
                remaining = remaining[piece..];
            }

            output.Write(RespLiterals.Crlf);
            return header + bytes.Length + RespLiterals.Crlf.Length;
        }

        var length = arg.GetByteCount();
        var written = WriteHeader(output, RespLiterals.BulkStringPrefix, length);
        var payload = output.GetSpan(length + RespLiterals.Crlf.Length);
        arg.CopyTo(payload);
        RespLiterals.Crlf.CopyTo(payload[length..]);
        output.Advance(length + RespLiterals.Crlf.Length);
        return written + length + RespLiterals.Crlf.Length;
    }

    private static long WriteBulkString(IBufferWriter<byte> output, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var written = WriteHeader(output, RespLiterals.BulkStringPrefix, length);
        var payload = output.GetSpan(length + RespLiterals.Crlf.Length);
        Encoding.UTF8.GetBytes(text, payload);
        RespLiterals.Crlf.CopyTo(payload[length..]);
        output.Advance(length + RespLiterals.Crlf.Length);
        return written + length + RespLiterals.Crlf.Length;
    }
}
