using System.Text;
using LiveIm.LoadTest.Protocol;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class RecordBufferTests
{
    private static void Feed(RecordBuffer buffer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var offset = 0;
        while (offset < bytes.Length)
        {
            var memory = buffer.GetMemory();
            var count = Math.Min(memory.Length, bytes.Length - offset);
            bytes.AsSpan(offset, count).CopyTo(memory.Span);
            buffer.Advance(count);
            offset += count;
        }
    }

    private static List<string> ReadAll(RecordBuffer buffer)
    {
        var records = new List<string>();
        while (buffer.TryReadRecord(out var record))
        {
            records.Add(Encoding.UTF8.GetString(record.Span));
        }

        return records;
    }

    [Fact]
    public void Record_split_across_chunks_is_read_only_when_complete()
    {
        using var buffer = new RecordBuffer(64, 1024);
        Feed(buffer, "{\"type\":");
        Assert.Empty(ReadAll(buffer));
        Feed(buffer, "6");
        Assert.Empty(ReadAll(buffer));
        Feed(buffer, "}\u001e");
        Assert.Equal(["{\"type\":6}"], ReadAll(buffer));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void Many_records_in_one_chunk_are_read_in_order()
    {
        using var buffer = new RecordBuffer(64, 1024);
        Feed(buffer, "{\"a\":1}\u001e{\"a\":2}\u001e{\"a\":3}\u001e{\"a\":");
        Assert.Equal(["{\"a\":1}", "{\"a\":2}", "{\"a\":3}"], ReadAll(buffer));
        Assert.False(buffer.IsEmpty);
        Feed(buffer, "4}\u001e");
        Assert.Equal(["{\"a\":4}"], ReadAll(buffer));
    }

    [Fact]
    public void Records_fed_one_byte_at_a_time_come_out_whole()
    {
        using var buffer = new RecordBuffer(16, 1024);
        var input = string.Concat(Enumerable.Range(0, 50).Select(i => $"{{\"n\":{i}}}\u001e"));
        var records = new List<string>();
        foreach (var b in Encoding.UTF8.GetBytes(input))
        {
            buffer.GetMemory().Span[0] = b;
            buffer.Advance(1);
            records.AddRange(ReadAll(buffer));
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{{\"n\":{i}}}"), records);
    }

    [Fact]
    public void A_record_larger_than_the_initial_buffer_grows_it()
    {
        using var buffer = new RecordBuffer(16, 64 * 1024);
        var big = "{\"s\":\"" + new string('x', 10_000) + "\"}";
        Feed(buffer, "{}\u001e" + big + "\u001e{}\u001e");
        Assert.Equal(["{}", big, "{}"], ReadAll(buffer));
    }

    [Fact]
    public void A_partial_record_moves_to_the_front_when_the_tail_is_full()
    {
        using var buffer = new RecordBuffer(32, 1024);
        var capacity = buffer.GetMemory().Length;
        var first = new string('a', capacity - 6); // leaves room for the separator and 5 bytes of the next record
        Feed(buffer, first + "\u001e{\"b\":");
        Assert.Equal([first], ReadAll(buffer));
        Feed(buffer, "1}\u001e");
        Assert.Equal(["{\"b\":1}"], ReadAll(buffer));
    }

    [Fact]
    public void A_record_over_the_maximum_is_rejected()
    {
        using var buffer = new RecordBuffer(16, 64);
        Assert.Throws<InvalidDataException>(() => Feed(buffer, new string('x', 200)));
    }

    [Fact]
    public void An_empty_buffer_gives_its_array_back()
    {
        using var buffer = new RecordBuffer(16, 64);
        Feed(buffer, "{}\u001e{");
        ReadAll(buffer);
        buffer.ReleaseIfEmpty();
        Assert.True(buffer.HoldsArray); // "{" is pending
        Feed(buffer, "}\u001e");
        ReadAll(buffer);
        buffer.ReleaseIfEmpty();
        Assert.False(buffer.HoldsArray);
    }
}
