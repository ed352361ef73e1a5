using System.Buffers;
using LiveIm.Core.Events;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// One SignalR frame, <c>{"type":1,"target":"events","arguments":[[e1,e2,...]]}</c> + 0x1E, built once per room
/// tick from the events' wire JSON and written, as the same bytes, to every member. The bytes live in a pooled
/// buffer that goes back to the pool when the last member's write of it completed (reference counted).
/// <para>
/// Members on the MessagePack protocol get the same frame in MessagePack (<see cref="MessagePackFrame"/>), built
/// once, by the first such member that is offered the frame, and shared by the others: a room without MessagePack
/// members never builds one. The JSON frame is always built (it is also what sizes backlogs and splits ticks).
/// </para>
/// </summary>
public sealed class RoomFrame
{
    /// <summary>The JSON hub protocol's name, which the frame's JSON bytes are for.</summary>
    public const string ProtocolName = "json";

    private static readonly byte[] Prefix = """{"type":1,"target":"events","arguments":[["""u8.ToArray();
    private static readonly byte[] Suffix = "]]}\u001e"u8.ToArray();

    private byte[]? _buffer;
    private int _references;
    private PackedFrame? _packed;

    private RoomFrame(byte[] buffer, int length, IReadOnlyList<TickEvent> events, LaneCounts counts, long minSeq)
    {
        _buffer = buffer;
        Length = length;
        Events = events;
        Counts = counts;
        MinSeq = minSeq;
        Message = new SerializedHubMessage(new[] { new SerializedMessage(ProtocolName, new ReadOnlyMemory<byte>(buffer, 0, length)) });
        _references = 1;
        FramePool.Rented(length);
    }

    /// <summary>What <c>HubConnectionContext.WriteAsync</c> takes: the pre-serialized bytes, no per-connection work.</summary>
    public SerializedHubMessage Message { get; }

    /// <summary>Frame size in bytes (JSON).</summary>
    public int Length { get; }

    /// <summary>The bytes to write to a member whose protocol writes <paramref name="format"/>.</summary>
    public SerializedHubMessage MessageFor(FrameFormat format) => format == FrameFormat.Json ? Message : Pack().Message;

    /// <summary>The record's bytes in <paramref name="format"/> (what <see cref="MessageFor"/> carries), for a <see cref="FrameSocket"/>.</summary>
    public ReadOnlyMemory<byte> RecordFor(FrameFormat format) =>
        format == FrameFormat.Json ? new ReadOnlyMemory<byte>(_buffer ?? throw new ObjectDisposedException(nameof(RoomFrame)), 0, Length) : Pack().Record;

    /// <summary>Frame size in bytes in <paramref name="format"/> (builds the MessagePack frame when asked for it).</summary>
    public int LengthIn(FrameFormat format) => format == FrameFormat.Json ? Length : Pack().Length;

    /// <summary>True once the MessagePack frame was built (tests: a JSON-only room never builds it).</summary>
    public bool HasMessagePack => Volatile.Read(ref _packed) is not null;

    /// <summary>The events in the frame (kept for members that are still joining and must filter them).</summary>
    public IReadOnlyList<TickEvent> Events { get; }

    /// <summary>How many events of each lane the frame carries.</summary>
    public LaneCounts Counts { get; }

    /// <summary>The lowest reliable seq in the frame (0 when it carries none).</summary>
    public long MinSeq { get; }

    /// <summary>True when the frame carries a reliable-lane event (gift, system).</summary>
    public bool HasReliable => Counts.Reliable > 0;

    /// <summary>A frame of <paramref name="events"/> in order (the caller holds the one reference it starts with).</summary>
    public static RoomFrame Build(IReadOnlyList<TickEvent> events)
    {
        var length = Prefix.Length + Suffix.Length + Math.Max(0, events.Count - 1);
        var counts = default(LaneCounts);
        var minSeq = 0L;
        foreach (var e in events)
        {
            length += e.Json.Length;
            counts = counts.Add(e.Lane);
            if (e.Seq is { } seq && (minSeq == 0 || seq < minSeq))
            {
                minSeq = seq;
            }
        }

        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var span = buffer.AsSpan();
        Prefix.CopyTo(span);
        var at = Prefix.Length;
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0)
            {
                span[at++] = (byte)',';
            }

            events[i].Json.Span.CopyTo(span[at..]);
            at += events[i].Json.Length;
        }

        Suffix.CopyTo(span[at..]);
        return new RoomFrame(buffer, length, events, counts, minSeq);
    }

    /// <summary>Takes one more reference (a member queued the frame).</summary>
    public RoomFrame AddReference()
    {
        Interlocked.Increment(ref _references);
        return this;
    }

    /// <summary>Drops one reference; the last one returns the buffer to the pool.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0 && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            FramePool.Returned(Length);
            if (Interlocked.Exchange(ref _packed, null) is { } packed)
            {
                packed.Return();
            }
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("RoomFrame released more often than referenced");
        }
    }

    // Called only while the caller holds a reference (a member being offered the frame, or writing it from its queue),
    // so the frame cannot be released meanwhile. Two members of different shards may race to build it: the loser
    // returns its copy.
    private PackedFrame Pack()
    {
        if (Volatile.Read(ref _packed) is { } built)
        {
            return built;
        }

        var buffer = MessagePackFrame.Build(Events, out var start, out var length);
        var packed = new PackedFrame(buffer, start, length);
        if (Interlocked.CompareExchange(ref _packed, packed, null) is { } other)
        {
            packed.Return();
            return other;
        }

        return packed;
    }

    /// <summary>The frame as text (tests and diagnostics).</summary>
    public override string ToString() =>
        _buffer is { } b ? System.Text.Encoding.UTF8.GetString(b, 0, Length) : "<returned>";
}

/// <summary>A frame's MessagePack bytes, in a pooled buffer.</summary>
internal sealed class PackedFrame
{
    private readonly byte[] _buffer;

    public PackedFrame(byte[] buffer, int start, int length)
    {
        _buffer = buffer;
        Length = length;
        Record = new ReadOnlyMemory<byte>(buffer, start, length);
        Message = new SerializedHubMessage(new[] { new SerializedMessage(Hubs.CodedMessagePackHubProtocol.ProtocolName, Record) });
        FramePool.Rented(length);
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Record { get; }

    public SerializedHubMessage Message { get; }

    public void Return()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        FramePool.Returned(Length);
    }
}

/// <summary>
/// One event of a tick: its wire JSON and its routing fields; <paramref name="ServerTs"/> is RoomService's stamp for
/// the live path (the publish-to-write histogram), 0 where it is not measured (history reads, the gateway's own
/// online event).
/// </summary>
public readonly record struct TickEvent(ReadOnlyMemory<byte> Json, long? Seq, string Lane, long ServerTs = 0)
{
    /// <summary>A reliable event as RoomService's history returns it (join snapshots and repair reads).</summary>
    public static TickEvent FromHistory(System.Text.Json.JsonElement e) => new(
        System.Text.Encoding.UTF8.GetBytes(e.GetRawText()), e.GetProperty("seq").GetInt64(), e.GetProperty("lane").GetString() ?? Core.Events.Lane.Gift);

    /// <summary>True on the reliable lanes.</summary>
    public bool IsReliable => Core.Events.Lane.IsReliable(Lane);
}

/// <summary>Events per lane in a frame.</summary>
public readonly record struct LaneCounts(int Chat, int Like, int Gift, int System)
{
    /// <summary>Reliable-lane events (gift + system).</summary>
    public int Reliable => Gift + System;

    /// <summary>Best-effort events (chat + like).</summary>
    public int BestEffort => Chat + Like;

    /// <summary>All events.</summary>
    public int Total => Chat + Like + Gift + System;

    /// <summary>These counts plus one event of <paramref name="lane"/>.</summary>
    public LaneCounts Add(string lane) => lane switch
    {
        Core.Events.Lane.Chat => this with { Chat = Chat + 1 },
        Core.Events.Lane.Like => this with { Like = Like + 1 },
        Core.Events.Lane.Gift => this with { Gift = Gift + 1 },
        _ => this with { System = System + 1 },
    };
}

/// <summary>Counters of the frame buffers taken from and given back to <see cref="ArrayPool{T}.Shared"/>.</summary>
public static class FramePool
{
    private static long _rented;
    private static long _returned;
    private static long _outstandingBytes;

    /// <summary>Buffers rented since start.</summary>
    public static long RentedCount => Interlocked.Read(ref _rented);

    /// <summary>Buffers returned since start.</summary>
    public static long ReturnedCount => Interlocked.Read(ref _returned);

    /// <summary>Bytes of frames currently alive (queued or being written somewhere).</summary>
    public static long OutstandingBytes => Interlocked.Read(ref _outstandingBytes);

    internal static void Rented(int length)
    {
        Interlocked.Increment(ref _rented);
        Interlocked.Add(ref _outstandingBytes, length);
    }

    internal static void Returned(int length)
    {
        Interlocked.Increment(ref _returned);
        Interlocked.Add(ref _outstandingBytes, -length);
    }
}
