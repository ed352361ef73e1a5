using System.Diagnostics;
using System.Text;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Protocol;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class EventScannerTests
{
    [Fact]
    public void Every_event_of_a_merged_frame_is_counted_by_lane()
    {
        var frame = Frame(Chat(1, "t5-0-xx"), Gift(2, Payload.GiftId(7, 5)), Chat(3, "t6-1-xx"), Likes(4), Gift(5, Payload.GiftId(9, 6)));
        var gifts = new GiftSet();
        var counts = EventScanner.Count(frame, gifts);
        Assert.Equal(2, counts.Chat);
        Assert.Equal(2, counts.Gift);
        Assert.Equal(1, counts.Like);
        Assert.Equal(5, counts.Total);
        Assert.Equal(0, counts.UnreadableGifts);
        Assert.True(gifts.Contains(7));
        Assert.True(gifts.Contains(9));
        Assert.False(gifts.Contains(8));
    }

    [Fact]
    public void Lane_text_inside_a_chat_line_is_not_an_event()
    {
        // A chat line quoting JSON arrives escaped: "lane":" cannot appear in a string value.
        var frame = Frame(Chat(1, "say \\\"lane\\\":\\\"gift\\\" twice"));
        var counts = EventScanner.Count(frame, new GiftSet());
        Assert.Equal(1, counts.Chat);
        Assert.Equal(0, counts.Gift);
    }

    [Fact]
    public void A_gift_that_is_not_ours_is_counted_but_not_marked()
    {
        var gifts = new GiftSet();
        var counts = EventScanner.Count(Frame(Gift(1, "rose")), gifts);
        Assert.Equal(1, counts.Gift);
        Assert.Equal(1, counts.UnreadableGifts);
    }

    [Fact]
    public void A_gift_seen_twice_is_a_duplicate()
    {
        var gifts = new GiftSet();
        var frame = Frame(Gift(1, Payload.GiftId(3, 1)));
        EventScanner.Count(frame, gifts);
        EventScanner.Count(frame, gifts);
        Assert.Equal(1, gifts.Duplicates);
    }

    [Fact]
    public void The_events_invocation_is_told_apart_from_other_records()
    {
        Assert.True(EventScanner.IsEventsInvocation(Frame(Chat(1, "x"))));
        Assert.False(EventScanner.IsEventsInvocation("{\"type\":3,\"invocationId\":\"1\",\"result\":{}}"u8));
        Assert.False(EventScanner.IsEventsInvocation("{\"type\":6}"u8));
        Assert.False(EventScanner.IsEventsInvocation("{\"type\":1,\"target\":\"other\",\"arguments\":[]}"u8));
    }

    [Fact]
    public void A_tracer_records_latency_of_messages_sent_inside_the_window_only()
    {
        var window = new StepWindow();
        var opened = 1_000_000_000L;
        window.Open(opened);
        var second = Stopwatch.Frequency;
        var now = opened + 2 * second;
        var frame = Frame(
            Chat(1, Payload.ChatText(opened + second, 1, 40)),                 // 1 s old: counts
            Gift(2, Payload.GiftId(1, opened + second + second / 2)),          // 0.5 s old: counts
            Chat(3, Payload.ChatText(opened - 1, 2, 40)));                     // warm-up: ignored
        Assert.True(EventScanner.Trace(frame, now, window));
        Assert.Equal(1, window.Chat.Count);
        Assert.Equal(1, window.Gift.Count);
        Assert.Equal(2, window.All.Count);
        Assert.InRange(window.Chat.Max, 999_000, 1_001_000);
        Assert.InRange(window.Gift.Max, 499_000, 501_000);

        window.Close(opened + second);
        Assert.True(EventScanner.Trace(frame, now, window));
        Assert.Equal(1, window.Chat.Count);
    }

    [Fact]
    public void A_tracer_reads_events_whatever_the_property_order()
    {
        var window = new StepWindow();
        window.Open(0);
        var ts = Stopwatch.GetTimestamp();
        var frame = Encoding.UTF8.GetBytes(
            $"{{\"arguments\":[[{{\"text\":\"{Payload.ChatText(ts, 1, 40)}\",\"from\":{{\"userId\":\"u\"}},\"lane\":\"chat\"}}]],\"target\":\"events\",\"type\":1}}");
        Assert.True(EventScanner.Trace(frame, ts + 1, window));
        Assert.Equal(1, window.Chat.Count);
    }

    [Fact]
    public void A_tracer_refuses_garbage()
    {
        Assert.False(EventScanner.Trace("{\"type\":1,\"target\":\"events\",\"arguments\":[[{\"lane\":"u8, 0, new StepWindow()));
        Assert.False(EventScanner.Trace("[]"u8, 0, new StepWindow()));
    }

    private static string Chat(long id, string text) =>
        $"{{\"roomId\":\"r\",\"id\":{id},\"seq\":null,\"lane\":\"chat\",\"type\":\"chat\",\"from\":{{\"userId\":\"u\",\"name\":\"n\",\"role\":\"viewer\"}},\"text\":\"{text}\",\"serverTs\":1,\"streamTs\":null}}";

    private static string Gift(long id, string giftId) =>
        $"{{\"roomId\":\"r\",\"id\":{id},\"seq\":{id},\"lane\":\"gift\",\"type\":\"gift\",\"from\":{{\"userId\":\"u\",\"name\":\"n\",\"role\":\"viewer\"}},\"gift\":{{\"giftId\":\"{giftId}\",\"count\":1}},\"serverTs\":1,\"streamTs\":null}}";

    private static string Likes(long id) =>
        $"{{\"roomId\":\"r\",\"id\":{id},\"seq\":null,\"lane\":\"like\",\"type\":\"likes\",\"likes\":3,\"serverTs\":1,\"streamTs\":null}}";

    private static byte[] Frame(params string[] events) =>
        Encoding.UTF8.GetBytes($"{{\"type\":1,\"target\":\"events\",\"arguments\":[[{string.Join(',', events)}]]}}");
}
