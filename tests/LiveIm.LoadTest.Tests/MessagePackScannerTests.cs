using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LiveIm.Core.Serialization;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Protocol;
using MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary>The lean receivers' MessagePack reading, against records written by MessagePack-CSharp and the official protocol.</summary>
public sealed class MessagePackScannerTests
{
    [Fact]
    public void Every_event_of_a_merged_frame_is_counted_by_lane_and_its_gifts_marked()
    {
        var frame = Frame(Chat(1, "t5-0-xx"), Gift(2, Payload.GiftId(7, 5)), Chat(3, "t6-1-xx"), Likes(4), Gift(5, Payload.GiftId(9, 6)), Online());
        Assert.True(MessagePackScanner.IsEventsInvocation(frame));
        var gifts = new GiftSet();
        var counts = MessagePackScanner.Count(frame, gifts);
        Assert.Equal((2, 2, 1, 1, 0), (counts.Chat, counts.Gift, counts.Like, counts.Other, counts.UnreadableGifts));
        Assert.True(gifts.Contains(7));
        Assert.True(gifts.Contains(9));
        Assert.False(gifts.Contains(8));
    }

    [Fact]
    public void Lane_bytes_inside_a_chat_line_are_not_an_event()
    {
        // The walk reads keys, so a chat line holding the bytes of the key "lane" (or a whole MessagePack map) is text.
        var counts = MessagePackScanner.Count(Frame(Chat(1, "\u00a4lane\u00a4gift \"lane\":\"gift\"")), new GiftSet());
        Assert.Equal((1, 0), (counts.Chat, counts.Gift));
    }

    [Fact]
    public void A_gift_that_is_not_ours_is_counted_but_not_marked()
    {
        var gifts = new GiftSet();
        var counts = MessagePackScanner.Count(Frame(Gift(1, "rose")), gifts);
        Assert.Equal((1, 1), (counts.Gift, counts.UnreadableGifts));
    }

    [Fact]
    public void A_tracer_records_latency_of_messages_sent_inside_the_window_only()
    {
        var window = new StepWindow();
        var opened = 1_000_000_000L;
        window.Open(opened);
        var second = Stopwatch.Frequency;
        var frame = Frame(
            Chat(1, Payload.ChatText(opened + second, 1, 40)),
            Gift(2, Payload.GiftId(1, opened + second + second / 2)),
            Chat(3, Payload.ChatText(opened - 1, 2, 40)));
        var counts = MessagePackScanner.Count(frame, new GiftSet(), window, opened + 2 * second);
        Assert.Equal(3, counts.Total);
        Assert.Equal((1, 1, 2), (window.Chat.Count, window.Gift.Count, window.All.Count));
        Assert.InRange(window.Chat.Max, 999_000, 1_001_000);
        Assert.InRange(window.Gift.Max, 499_000, 501_000);
    }

    [Fact]
    public void Fields_are_found_whatever_their_order_and_unknown_values_of_every_format_are_skipped()
    {
        var ts = Stopwatch.GetTimestamp();
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(8);
        writer.Write("text");
        writer.Write(Payload.ChatText(ts, 1, 40));
        writer.Write("bin");
        writer.Write(new byte[300]);
        writer.Write("ext");
        writer.WriteExtensionFormat(new ExtensionResult(-1, new byte[12]));
        writer.Write("float");
        writer.Write(1.5);
        writer.Write("big");
        writer.Write(ulong.MaxValue);
        writer.Write("nested");
        writer.WriteArrayHeader(2);
        writer.WriteMapHeader(1);
        writer.Write("lane");
        writer.Write("gift");
        writer.Write(new string('x', 70_000));
        writer.Write("long key " + new string('k', 40));
        writer.Write(true);
        writer.Write("lane");
        writer.Write("chat");
        writer.Flush();
        var window = new StepWindow();
        window.Open(0);
        var counts = MessagePackScanner.Count(Frame(buffer.WrittenSpan.ToArray()), new GiftSet(), window, ts + 1);
        Assert.Equal((1, 0, 1), (counts.Chat, counts.Gift, window.Chat.Count));
    }

    [Fact]
    public void The_official_protocols_invocation_is_recognised_and_control_records_are_read()
    {
        var protocol = new MessagePackHubProtocol();
        var events = Record(protocol, new InvocationMessage("events", [new object[] { new Dictionary<string, object> { ["lane"] = "like" } }]));
        Assert.True(MessagePackScanner.IsEventsInvocation(events));
        Assert.Equal(1, MessagePackScanner.Count(events, null).Like);
        Assert.False(MessagePackScanner.IsEventsInvocation(Record(protocol, new InvocationMessage("reconnect", [1]))));
        Assert.False(MessagePackScanner.IsEventsInvocation(Record(protocol, PingMessage.Instance)));

        Assert.Equal((3, (string?)"1", (string?)null), MessagePackScanner.ReadControl(Record(protocol, CompletionMessage.WithResult("1", 5))));
        Assert.Equal((3, (string?)"1", (string?)"invalid_room: nope"), MessagePackScanner.ReadControl(Record(protocol, CompletionMessage.WithError("1", "invalid_room: nope"))));
        Assert.Equal((7, (string?)null, (string?)"slow_consumer: behind"), MessagePackScanner.ReadControl(Record(protocol, new CloseMessage("slow_consumer: behind", true))));
        Assert.Equal((6, (string?)null, (string?)null), MessagePackScanner.ReadControl(Record(protocol, PingMessage.Instance)));
    }

    [Fact]
    public void The_receivers_own_records_are_what_the_official_protocol_reads()
    {
        var protocol = new MessagePackHubProtocol();
        var join = new ReadOnlySequence<byte>(MessagePackFrames.JoinRoom("room-1", 1L << 40));
        Assert.True(protocol.TryParseMessage(ref join, new Binder(), out var message));
        var invocation = Assert.IsType<InvocationMessage>(message);
        Assert.Equal("1", invocation.InvocationId);
        Assert.Equal("JoinRoom", invocation.Target);
        Assert.Equal("room-1", invocation.Arguments[0]);
        Assert.Equal(1L << 40, invocation.Arguments[1]);
        var fresh = new ReadOnlySequence<byte>(MessagePackFrames.JoinRoom(new string('r', 64)));
        Assert.True(protocol.TryParseMessage(ref fresh, new Binder(), out message));
        Assert.Null(Assert.IsType<InvocationMessage>(message).Arguments[1]);
        var ping = new ReadOnlySequence<byte>(MessagePackFrames.Ping);
        Assert.True(protocol.TryParseMessage(ref ping, new Binder(), out message));
        Assert.IsType<PingMessage>(message);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0x96, 0x01, 0x80, 0xc0, 0xa6, (byte)'e', (byte)'v' })] // cut inside the target
    [InlineData(new byte[] { 0x96, 0x01, 0x80, 0xc0, 0xa6, (byte)'e', (byte)'v', (byte)'e', (byte)'n', (byte)'t', (byte)'s', 0x91, 0x93, 0x81 })] // 3 events promised, cut in the first
    [InlineData(new byte[] { 0x96, 0x01, 0x80, 0xc0, 0xa6, (byte)'e', (byte)'v', (byte)'e', (byte)'n', (byte)'t', (byte)'s', 0x91, 0xdd, 0xff, 0xff, 0xff, 0xff })] // 4 billion events in 0 bytes
    [InlineData(new byte[] { 0xc1, 0xc1, 0xc1 })]
    public void Truncated_or_hostile_records_are_counted_as_far_as_they_go_and_never_throw(byte[] record)
    {
        var counts = MessagePackScanner.Count(record, new GiftSet(), new StepWindow(), 0);
        Assert.InRange(counts.Total, 0, 3);
        Assert.Null(MessagePackScanner.ReadControl(record).Error);
    }

    [Fact]
    public void Deep_nesting_is_skipped_without_recursion()
    {
        var deep = Enumerable.Repeat((byte)0x91, 100_000).Append((byte)0xc0).ToArray();
        var cursor = new MessagePackCursor(deep);
        Assert.True(cursor.TrySkip());
        Assert.True(cursor.End);
    }

    [Fact]
    public void Length_prefixed_records_are_cut_whatever_the_reads_and_a_bad_prefix_is_refused()
    {
        using var buffer = new RecordBuffer(16, 1 << 20);
        var big = new byte[70_000];
        var stream = new List<byte>("{}\u001e"u8.ToArray());
        stream.AddRange(MessagePackFrames.Ping);
        stream.AddRange([.. MessagePackFrames.LengthPrefix(big.Length), .. big]);
        stream.AddRange(MessagePackFrames.Ping);
        var records = new List<int>();
        var bytes = stream.ToArray();
        for (var at = 0; at < bytes.Length;)
        {
            var memory = buffer.GetMemory();
            var n = Math.Min(memory.Length, Math.Min(7, bytes.Length - at));
            bytes.AsSpan(at, n).CopyTo(memory.Span);
            buffer.Advance(n);
            at += n;
            while (buffer.TryReadRecord(out var record))
            {
                if (records.Count == 0)
                {
                    Assert.Equal("{}", Encoding.UTF8.GetString(record.Span));
                    buffer.UseLengthPrefix();
                }

                records.Add(record.Length);
            }
        }

        Assert.Equal([2, 2, 70_000, 2], records);
        Assert.True(buffer.IsEmpty);

        using var hostile = new RecordBuffer(16, 1 << 20);
        hostile.UseLengthPrefix();
        new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }.CopyTo(hostile.GetMemory());
        hostile.Advance(6);
        Assert.Throws<InvalidDataException>(() => hostile.TryReadRecord(out _));
    }

    private static byte[] Record(IHubProtocol protocol, HubMessage message)
    {
        var bytes = new ReadOnlySequence<byte>(protocol.GetMessageBytes(message));
        var reader = new SequenceReader<byte>(bytes);
        var prefix = 0;
        while (reader.TryRead(out var b) && (b & 0x80) != 0)
        {
            prefix++;
        }

        return bytes.Slice(prefix + 1).ToArray();
    }

    private static byte[] Chat(long id, string text) => Event($$"""{"roomId":"r","id":{{id}},"seq":null,"lane":"chat","type":"chat","from":{"userId":"u","name":"n","role":"viewer"},"text":{{JsonSerializer.Serialize(text)}},"serverTs":1,"streamTs":null}""");

    private static byte[] Gift(long id, string giftId) => Event($$"""{"roomId":"r","id":{{id}},"seq":{{id}},"lane":"gift","type":"gift","from":{"userId":"u","name":"n","role":"viewer"},"gift":{"giftId":"{{giftId}}","count":1},"serverTs":1,"streamTs":null}""");

    private static byte[] Likes(long id) => Event($$"""{"roomId":"r","id":{{id}},"seq":null,"lane":"like","type":"likes","likes":3,"serverTs":1,"streamTs":null}""");

    private static byte[] Online() => Event("""{"roomId":"r","id":0,"seq":null,"lane":"system","type":"online","online":12,"serverTs":1,"streamTs":null}""");

    // Each event as the gateway writes it: its wire JSON transcoded (LiveIm.Core's MessagePackJson).
    private static byte[] Event(string json)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        MessagePackJson.WriteJson(Encoding.UTF8.GetBytes(json), ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    // [1, {}, nil, "events", [[e1, e2, ...]], []]: what SignalR's MessagePack protocol writes for the invocation.
    private static byte[] Frame(params byte[][] events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(6);
        writer.Write(1);
        writer.WriteMapHeader(0);
        writer.WriteNil();
        writer.Write("events");
        writer.WriteArrayHeader(1);
        writer.WriteArrayHeader(events.Length);
        writer.Flush();
        foreach (var e in events)
        {
            buffer.Write(e);
        }

        writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(0);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private sealed class Binder : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => [typeof(string), typeof(long?)];

        public Type GetReturnType(string invocationId) => typeof(object);

        public Type GetStreamItemType(string streamId) => typeof(object);
    }
}
