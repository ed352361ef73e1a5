using System.Buffers.Text;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Protocol;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Walks the events of an <c>events</c> frame the cheap way, as <see cref="EventScanner"/> counts them: each event is a
/// hit of <c>"lane":"</c>. LiveIm writes <c>{"roomId":…,"id":N,"seq":S,"lane":…}</c> (RoomEventJson), so an event's
/// seq is the last <c>"seq":</c> before its lane; its gift id or chat text lies between its lane and the next one.
/// None of these byte sequences can occur inside a JSON string (the quotes would be escaped).
/// </summary>
internal ref struct FrameReader
{
    private static ReadOnlySpan<byte> SeqProperty => "\"seq\":"u8;

    private static ReadOnlySpan<byte> TextProperty => "\"text\":\""u8;

    private readonly ReadOnlySpan<byte> _frame;
    private readonly bool _timestamps;
    private int _segmentStart;
    private int _at;

    /// <param name="frame">The frame.</param>
    /// <param name="timestamps">Also read chat lines' due timestamps (tracers only: gift ids carry theirs anyway).</param>
    public FrameReader(ReadOnlySpan<byte> frame, bool timestamps)
    {
        _frame = frame;
        _timestamps = timestamps;
        _at = frame.IndexOf(SignalRFrames.LaneProperty);
    }

    /// <summary>The next event, false after the last.</summary>
    public bool Next(out FrameEvent e)
    {
        e = new FrameEvent { Seq = -1, GiftNumber = -1, SentTimestamp = -1 };
        if (_at < 0)
        {
            return false;
        }

        var lane = SignalRFrames.LaneProperty;
        var valueAt = _at + lane.Length;
        var rest = _frame[valueAt..];
        var next = rest.IndexOf(lane);
        var body = next >= 0 ? rest[..next] : rest;
        e.Lane = rest.IsEmpty ? (byte)0 : rest[0];

        var head = _frame[_segmentStart.._at];
        var seqAt = head.LastIndexOf(SeqProperty);
        if (seqAt >= 0 && Utf8Parser.TryParse(head[(seqAt + SeqProperty.Length)..], out long seq, out _) && seq >= 0)
        {
            e.Seq = seq;
        }

        if (e.Lane == (byte)'g')
        {
            var idAt = body.IndexOf(SignalRFrames.GiftIdProperty);
            if (idAt >= 0)
            {
                var id = body[(idAt + SignalRFrames.GiftIdProperty.Length)..];
                var end = id.IndexOf((byte)'"');
                if (end > 0 && Payload.TryReadGiftId(id[..end], out var number, out var ts))
                {
                    e.GiftNumber = number;
                    e.SentTimestamp = ts;
                }
            }
        }
        else if (_timestamps && e.Lane == (byte)'c')
        {
            var textAt = body.IndexOf(TextProperty);
            if (textAt >= 0 && Payload.TryReadChatTimestamp(body[(textAt + TextProperty.Length)..], out var ts))
            {
                e.SentTimestamp = ts;
            }
        }

        _segmentStart = valueAt;
        _at = next >= 0 ? valueAt + next : -1;
        return true;
    }
}
