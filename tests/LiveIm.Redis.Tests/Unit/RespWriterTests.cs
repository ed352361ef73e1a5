using System.Buffers;
using System.Text;
using LiveIm.Redis.Protocol;
using Xunit;

namespace LiveIm.Redis.Tests.Unit;

public sealed class RespWriterTests
{
    [Fact]
    public void A_command_is_an_array_of_bulk_strings()
    {
        Assert.Equal("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", Write("SET", "k", "hello"));
    }

    [Fact]
    public void A_command_without_arguments_is_an_array_of_one()
    {
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Write("PING"));
    }

    [Fact]
    public void Numbers_are_sent_as_invariant_decimal_text()
    {
        Assert.Equal(
            "*5\r\n$4\r\nZADD\r\n$2\r\n42\r\n$20\r\n-9223372036854775808\r\n$3\r\n1.5\r\n$5\r\n1E-07\r\n",
            Write("ZADD", 42, long.MinValue, 1.5, 1e-7));
    }

    [Fact]
    public void Infinite_doubles_use_the_redis_spelling()
    {
        Assert.Equal(
            "*3\r\n$1\r\nX\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n",
            Write("X", double.PositiveInfinity, double.NegativeInfinity));
    }

    [Fact]
    public void NaN_is_refused_before_it_reaches_the_wire()
    {
        Assert.Throws<ArgumentException>(() => (RedisArg)double.NaN);
    }

    [Fact]
    public void Text_is_utf8_and_its_length_counts_bytes_not_chars()
    {
        // h (1 byte) + é (2) + € (3) = 6 bytes.
        var expected = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes("*2\r\n$1\r\nX\r\n$6\r\nhé€\r\n"));
        Assert.Equal(expected, Write("X", "hé€"));
    }

    [Fact]
    public void Bytes_and_memory_are_sent_unchanged_and_null_becomes_empty()
    {
        var bytes = new byte[] { 0, 13, 10, 255 };
        var text = Write("X", bytes, new ReadOnlyMemory<byte>(bytes, 1, 2), (string?)null);
        Assert.Equal("*4\r\n$1\r\nX\r\n$4\r\n\0\r\n\u00ff\r\n$2\r\n\r\n\r\n$0\r\n\r\n", text);
    }

    [Fact]
    public void A_large_value_is_written_in_chunks_with_the_right_length()
    {
        var big = new byte[1_000_003];
        Random.Shared.NextBytes(big);
        var output = new ArrayBufferWriter<byte>(16);
        var written = RespWriter.WriteCommand(output, "SET", ["k", big]);

        var expectedHeader = Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1000003\r\n");
        Assert.Equal(expectedHeader.Length + big.Length + 2, written);
        Assert.Equal(written, output.WrittenCount);
        Assert.True(output.WrittenSpan[..expectedHeader.Length].SequenceEqual(expectedHeader));
        Assert.True(output.WrittenSpan.Slice(expectedHeader.Length, big.Length).SequenceEqual(big));
        Assert.True(output.WrittenSpan[^2..].SequenceEqual("\r\n"u8));
    }

    [Fact]
    public void What_the_writer_writes_the_parser_reads_back()
    {
        var output = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(output, "HSET", ["h", "f", 12, new byte[] { 1, 2, 3 }]);
        var buffer = new ReadOnlySequence<byte>(output.WrittenMemory);
        Assert.True(RespParser.TryRead(ref buffer, out var command));
        Assert.Equal("[HSET, h, f, 12, \u0001\u0002\u0003]", command.ToString());
    }

    private static string Write(string command, params RedisArg[] args)
    {
        var output = new ArrayBufferWriter<byte>();
        var written = RespWriter.WriteCommand(output, command, args);
        Assert.Equal(output.WrittenCount, written);

        // Latin-1 maps each byte to one char, so expectations can spell out raw bytes.
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }
}
