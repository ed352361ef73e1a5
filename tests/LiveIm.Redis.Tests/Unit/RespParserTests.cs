using System.Buffers;
using System.Text;
using LiveIm.Redis.Protocol;
using LiveIm.Redis.Tests.Support;
using Xunit;

namespace LiveIm.Redis.Tests.Unit;

public sealed class RespParserTests
{
    // One of every RESP2 shape, back to back, as a pipelined batch of replies would arrive.
    private const string AllShapes =
        "+OK\r\n" +
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
        ":-42\r\n" +
        ":+7\r\n" +
        "$5\r\nhe\r\nl\r\n" +
        "$0\r\n\r\n" +
        "$-1\r\n" +
        "*-1\r\n" +
        "*0\r\n" +
        "*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n$3\r\nxyz\r\n" +
        "+\r\n";

    private static readonly string[] ExpectedRendering =
    [
        "OK",
        "(error) WRONGTYPE Operation against a key holding the wrong kind of value",
        "-42",
        "7",
        "he\r\nl",
        string.Empty,
        "(nil)",
        "(nil)",
        "[]",
        "[1, [a, (nil)], xyz]",
        string.Empty,
    ];

    [Fact]
    public void Every_resp2_shape_is_read_with_its_type_and_value()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(AllShapes));
        var values = ReadAll(ref buffer);

        Assert.True(buffer.IsEmpty);
        Assert.Equal(ExpectedRendering, values.Select(v => v.ToString()));
        Assert.Equal(
            [
                RedisValueType.SimpleString, RedisValueType.Error, RedisValueType.Integer, RedisValueType.Integer,
                RedisValueType.BulkString, RedisValueType.BulkString, RedisValueType.Null, RedisValueType.Null,
                RedisValueType.Array, RedisValueType.Array, RedisValueType.SimpleString,
            ],
            values.Select(v => v.Type));
        Assert.Equal(-42, values[2].AsInt64());
        Assert.Equal("he\r\nl", values[4].AsString());
        Assert.Equal(RedisValueType.Array, values[9].AsArray()[1].Type);
    }

    [Fact]
    public void A_batch_split_into_two_segments_at_every_byte_boundary_parses_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes(AllShapes);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var buffer = Segments.Split(bytes, cut);
            var values = ReadAll(ref buffer);
            Assert.True(buffer.IsEmpty, $"leftover bytes with a cut at {cut}");
            Assert.Equal(ExpectedRendering, values.Select(v => v.ToString()));
        }
    }

    [Fact]
    public void A_batch_split_into_three_segments_at_every_pair_of_boundaries_parses_the_same()
    {
        var bytes = Encoding.UTF8.GetBytes(AllShapes);
        for (var first = 0; first <= bytes.Length; first++)
        {
            for (var second = first; second <= bytes.Length; second++)
            {
                var buffer = Segments.Split(bytes, first, second);
                var values = ReadAll(ref buffer);
                Assert.Equal(ExpectedRendering, values.Select(v => v.ToString()));
            }
        }
    }

    [Fact]
    public void Bytes_arriving_in_two_reads_split_at_every_boundary_yield_each_reply_exactly_once()
    {
        // Models the pipe: first only the prefix is available; the parser must take the whole
        // replies it holds, leave the partial one untouched, and finish it once the rest arrives.
        var bytes = Encoding.UTF8.GetBytes(AllShapes);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var firstRead = new ReadOnlySequence<byte>(bytes, 0, cut);
            var values = ReadAll(ref firstRead);
            var consumed = cut - (int)firstRead.Length;

            var secondRead = new ReadOnlySequence<byte>(bytes, consumed, bytes.Length - consumed);
            values.AddRange(ReadAll(ref secondRead));

            Assert.True(secondRead.IsEmpty);
            Assert.Equal(ExpectedRendering, values.Select(v => v.ToString()));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("+")]
    [InlineData("+OK")]
    [InlineData("+OK\r")]
    [InlineData(":12")]
    [InlineData("$5\r\nhel")]
    [InlineData("$5\r\nhello")]
    [InlineData("$5\r\nhello\r")]
    [InlineData("*2\r\n:1\r\n")]
    [InlineData("*2\r\n:1\r\n$3\r\nab")]
    [InlineData("*1000\r\n:1\r\n")]
    public void An_incomplete_reply_is_not_consumed(string partial)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(partial));
        Assert.False(RespParser.TryRead(ref buffer, out _));
        Assert.Equal(Encoding.UTF8.GetByteCount(partial), buffer.Length);
    }

    [Theory]
    [InlineData("?what\r\n", "type byte")]
    [InlineData("OK\r\n", "type byte")]
    [InlineData(":12a\r\n", "Invalid integer")]
    [InlineData(":\r\n", "Invalid integer")]
    [InlineData(": 1\r\n", "Invalid integer")]
    [InlineData(":99999999999999999999\r\n", "Invalid integer")]
    [InlineData("$abc\r\n", "Invalid integer")]
    [InlineData("$-2\r\n", "bulk string length")]
    [InlineData("$3\r\nabcXY", "not followed by CRLF")]
    [InlineData("*-5\r\n", "array length")]
    [InlineData("+O\rK\r\n", "bare CR or LF")]
    [InlineData("+O\nK\r\n", "bare CR or LF")]
    [InlineData("*1\r\n!\r\n", "type byte")]
    public void Malformed_input_is_rejected_with_a_protocol_exception(string input, string reason)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(input));
        var ex = Assert.Throws<RedisProtocolException>(() => RespParser.TryRead(ref buffer, out _));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_line_that_never_ends_is_rejected_instead_of_buffered_forever()
    {
        var bytes = Encoding.ASCII.GetBytes("+" + new string('x', RespParser.MaxLineLength + 10));
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.Throws<RedisProtocolException>(() => RespParser.TryRead(ref buffer, out _));
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected_before_it_exhausts_the_stack()
    {
        var deep = string.Concat(Enumerable.Repeat("*1\r\n", RespParser.MaxDepth + 1)) + ":1\r\n";
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(deep));
        Assert.Throws<RedisProtocolException>(() => RespParser.TryRead(ref buffer, out _));

        var allowed = string.Concat(Enumerable.Repeat("*1\r\n", RespParser.MaxDepth)) + ":1\r\n";
        buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(allowed));
        Assert.True(RespParser.TryRead(ref buffer, out _));
    }

    [Fact]
    public void A_bulk_string_is_binary_safe_and_split_anywhere_inside_its_payload()
    {
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var bytes = Encoding.ASCII.GetBytes("$256\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var buffer = Segments.Split(bytes, cut);
            Assert.True(RespParser.TryRead(ref buffer, out var value));
            Assert.Equal(payload, value.AsBytes());
        }
    }

    private static List<RedisValue> ReadAll(ref ReadOnlySequence<byte> buffer)
    {
        var values = new List<RedisValue>();
        while (RespParser.TryRead(ref buffer, out var value))
        {
            values.Add(value);
        }

        return values;
    }
}
