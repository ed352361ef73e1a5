using System.Text;
using LiveIm.LoadTest.Protocol;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary>RecordBuffer as the load test's receivers and raw server use it: a SignalR stream over WebSocket messages.</summary>
public sealed class RecordBufferStreamTests
{
    [Fact]
    public void A_record_split_across_websocket_messages_comes_out_whole()
    {
        using var splitter = new RecordBuffer(16, 4 * 1024 * 1024);
        var frame = "{\"type\":1,\"target\":\"events\",\"arguments\":[[{\"lane\":\"chat\"}]]}\u001e";
        var records = new List<string>();
        foreach (var chunk in Chunks(frame, 7))
        {
            Receive(splitter, chunk);
            records.AddRange(ReadAll(splitter));
        }

        Assert.Equal([frame[..^1]], records);
        Assert.True(splitter.IsEmpty);
    }

    [Fact]
    public void Many_records_in_one_message_come_out_one_by_one()
    {
        using var splitter = new RecordBuffer(4096, 4 * 1024 * 1024);
        Receive(splitter, "{}\u001e{\"type\":6}\u001e{\"type\":3,\"invocationId\":\"1\"}\u001e{\"type\":1,");
        Assert.Equal(["{}", "{\"type\":6}", "{\"type\":3,\"invocationId\":\"1\"}"], ReadAll(splitter));
        Assert.False(splitter.IsEmpty);

        Receive(splitter, "\"target\":\"events\"}\u001e");
        Assert.Equal(["{\"type\":1,\"target\":\"events\"}"], ReadAll(splitter));
        Assert.True(splitter.IsEmpty);
    }

    [Fact]
    public void A_record_larger_than_the_buffer_grows_it()
    {
        using var splitter = new RecordBuffer(16, 1024);
        var big = new string('x', 500);
        Receive(splitter, "a\u001e" + big);
        Assert.Equal(["a"], ReadAll(splitter));
        Receive(splitter, "\u001e");
        Assert.Equal([big], ReadAll(splitter));
    }

    [Fact]
    public void A_record_beyond_the_maximum_is_an_error()
    {
        using var splitter = new RecordBuffer(16, 64);
        Assert.Throws<InvalidDataException>(() => Receive(splitter, new string('x', 200)));
    }

    [Fact]
    public void An_idle_splitter_holds_no_buffer()
    {
        using var splitter = new RecordBuffer(4096, 4 * 1024 * 1024);
        Assert.False(splitter.HoldsArray);
        Receive(splitter, "{}\u001e");
        Assert.True(splitter.HoldsArray);
        Assert.Single(ReadAll(splitter));
        splitter.ReleaseIfEmpty();
        Assert.False(splitter.HoldsArray);
    }

    [Fact]
    public void A_partial_record_keeps_the_buffer()
    {
        using var splitter = new RecordBuffer(4096, 4 * 1024 * 1024);
        Receive(splitter, "{\"ty");
        splitter.ReleaseIfEmpty();
        Assert.True(splitter.HoldsArray);
        Receive(splitter, "pe\":6}\u001e");
        Assert.Equal(["{\"type\":6}"], ReadAll(splitter));
    }

    [Fact]
    public void Empty_records_are_records()
    {
        using var splitter = new RecordBuffer(4096, 4 * 1024 * 1024);
        Receive(splitter, "\u001e\u001e");
        Assert.Equal(["", ""], ReadAll(splitter));
    }

    // Like a receive loop: into GetMemory, then Advance.
    private static void Receive(RecordBuffer splitter, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text).AsSpan();
        while (!bytes.IsEmpty)
        {
            var memory = splitter.GetMemory().Span;
            var n = Math.Min(memory.Length, bytes.Length);
            bytes[..n].CopyTo(memory);
            splitter.Advance(n);
            bytes = bytes[n..];
        }
    }

    private static List<string> ReadAll(RecordBuffer splitter)
    {
        var records = new List<string>();
        while (splitter.TryReadRecord(out var record))
        {
            records.Add(Encoding.UTF8.GetString(record.Span));
        }

        return records;
    }

    private static IEnumerable<string> Chunks(string text, int size)
    {
        for (var i = 0; i < text.Length; i += size)
        {
            yield return text.Substring(i, Math.Min(size, text.Length - i));
        }
    }
}
