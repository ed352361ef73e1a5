using System.Buffers.Text;
using System.Globalization;

namespace LiveIm.LoadTest.Measurement;

/// <summary>
/// What the publishers put into chat lines and gift ids so that a receiver can tell when the message was sent: a
/// <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value. On Linux that is CLOCK_MONOTONIC in nanoseconds,
/// the same clock in every process of the machine, so publish-to-receive latency needs no clock sync.
/// </summary>
public static class Payload
{
    /// <summary>Shortest chat line: the marker, a 19-digit timestamp, a separator and a message number fit.</summary>
    public const int MinMessageSize = 32;

    /// <summary>Longest chat line LiveIm accepts (500 UTF-16 characters; ours are ASCII).</summary>
    public const int MaxMessageSize = 500;

    /// <summary>
    /// A chat line <c>t&lt;timestamp&gt;-&lt;n&gt;-xxxx…</c> of exactly <paramref name="size"/> ASCII characters
    /// (no spaces to trim, no control characters, nothing that JSON escapes).
    /// </summary>
    public static string ChatText(long timestamp, long number, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, MinMessageSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxMessageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var head = string.Create(CultureInfo.InvariantCulture, $"t{timestamp}-{number}-");
        return head.Length >= size ? head[..size] : head + new string('x', size - head.Length);
    }

    /// <summary>Reads the timestamp from a chat line made by <see cref="ChatText"/> (its UTF-8 bytes).</summary>
    public static bool TryReadChatTimestamp(ReadOnlySpan<byte> text, out long timestamp)
    {
        timestamp = 0;
        if (text.Length < 2 || text[0] != (byte)'t')
        {
            return false;
        }

        return Utf8Parser.TryParse(text[1..], out timestamp, out var consumed) && consumed > 0 && timestamp >= 0
            && 1 + consumed < text.Length && text[1 + consumed] == (byte)'-';
    }

    /// <summary>A gift id <c>g&lt;n&gt;_&lt;timestamp&gt;</c>: matches <c>^[A-Za-z0-9_-]{1,64}$</c> (at most 40 characters).</summary>
    public static string GiftId(long number, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        return string.Create(CultureInfo.InvariantCulture, $"g{number}_{timestamp}");
    }

    /// <summary>Reads the gift number and timestamp from a gift id made by <see cref="GiftId"/> (its UTF-8 bytes).</summary>
    public static bool TryReadGiftId(ReadOnlySpan<byte> giftId, out long number, out long timestamp)
    {
        number = timestamp = 0;
        if (giftId.Length < 4 || giftId[0] != (byte)'g')
        {
            return false;
        }

        if (!Utf8Parser.TryParse(giftId[1..], out number, out var consumed) || consumed == 0 || number < 0)
        {
            return false;
        }

        var rest = giftId[(1 + consumed)..];
        if (rest.Length < 2 || rest[0] != (byte)'_')
        {
            return false;
        }

        return Utf8Parser.TryParse(rest[1..], out timestamp, out var tsConsumed) && tsConsumed == rest.Length - 1 && timestamp >= 0;
    }

    /// <summary>A gift's idempotency key, unique per run and gift (<c>^[A-Za-z0-9_-]{1,64}$</c>).</summary>
    public static string ClientMsgId(string runId, long number) =>
        string.Create(CultureInfo.InvariantCulture, $"{runId}-{number}");
}
