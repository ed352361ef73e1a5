using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using LiveIm.LoadTest.Protocol;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// One WebSocket of the raw server. A receive loop answers the SignalR handshake and the few invocations the load
/// test makes; a send loop drains this connection's own queue, because a WebSocket allows one send at a time and a
/// slow reader must hold up nobody but itself.
/// </summary>
internal sealed class RawConnection
{
    /// <summary>
    /// Frames queued per connection before new ones are dropped (and counted): a client 8,192 frames behind — tens of
    /// seconds at the rates a room sustains — is not coming back; memory stays bounded at 64 KB of references each.
    /// </summary>
    private const int QueueLimit = 8192;

    private static long s_nextId;

    /// <summary>
    /// A queue that sent more than this many frames in one burst (a backlog) is replaced by a fresh one once drained.
    /// A channel's ring buffer grows to its peak and never shrinks: after one overloaded step, 10,000 rings of up to
    /// 8,192 slots (up to 650 MB of references) would stay allocated, and every enqueue would write somewhere across
    /// them. Small rings keep memory and the steady state as compact as before the overload.
    /// </summary>
    private const int ShrinkAfter = 256;

    private readonly WebSocket _webSocket;
    private readonly RawRooms _rooms;
    private readonly CancellationTokenSource _closing = new();
    private Channel<byte[]> _outbound = NewQueue();

    private readonly string _userId = "raw-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
    private RawRoom? _room;
    private bool _handshaken;
    private long _dropped;
    private int _queueSwaps;

    public RawConnection(WebSocket webSocket, RawRooms rooms)
    {
        _webSocket = webSocket;
        _rooms = rooms;
    }

    /// <summary>Frames dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Times a drained, grown queue was replaced by a small one.</summary>
    public int QueueSwaps => Volatile.Read(ref _queueSwaps);

    /// <summary>Queues a finished frame; drops it when this connection is <see cref="QueueLimit"/> frames behind.</summary>
    public void Enqueue(byte[] frame)
    {
        while (true)
        {
            var queue = Volatile.Read(ref _outbound);
            if (queue.Writer.TryWrite(frame))
            {
                return;
            }

            // Refused: either full (drop) or swapped out by the send loop just now (write to the new one).
            if (ReferenceEquals(queue, Volatile.Read(ref _outbound)))
            {
                Interlocked.Increment(ref _dropped);
                return;
            }
        }
    }

    /// <summary>Serves the connection until it closes.</summary>
    public async Task RunAsync(CancellationToken aborted)
    {
        _rooms.Add(this);
        var sending = SendLoopAsync(aborted);
        try
        {
            await ReceiveLoopAsync(aborted);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or InvalidDataException or JsonException)
        {
            // The client went away or sent garbage: this connection ends, nobody else notices.
        }
        finally
        {
            _room?.Remove(this);
            _rooms.Remove(this);
            await _closing.CancelAsync();
            await sending;
            _closing.Dispose();
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken aborted)
    {
        using var splitter = new RecordBuffer(1024, 64 * 1024);
        while (true)
        {
            if (splitter.IsEmpty)
            {
                splitter.ReleaseIfEmpty();
                var probe = await _webSocket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (probe.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }

            var result = await _webSocket.ReceiveAsync(splitter.GetMemory(), aborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            splitter.Advance(result.Count);
            while (splitter.TryReadRecord(out var record))
            {
                if (!Handle(record.Span))
                {
                    return;
                }
            }
        }
    }

    // Returns false when the connection should end.
    private bool Handle(ReadOnlySpan<byte> record)
    {
        if (!_handshaken)
        {
            // HandshakeRequest {"protocol":"json","version":1}: only JSON is spoken here.
            using var handshake = JsonDocument.Parse(record.ToArray());
            if (!handshake.RootElement.TryGetProperty("protocol", out var protocol) || protocol.GetString() != "json")
            {
                Enqueue("{\"error\":\"only the json protocol is supported\"}\u001e"u8.ToArray());
                return false;
            }

            _handshaken = true;
            Enqueue(SignalRFrames.HandshakeResponse);
            return true;
        }

        using var document = JsonDocument.Parse(record.ToArray());
        var root = document.RootElement;
        var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32() : 0;
        switch (type)
        {
            case 1:
                Invoke(root);
                return true;
            case 7:
                return false;
            default:
                // Pings (6) and anything else: nothing to answer.
                return true;
        }
    }

    private void Invoke(JsonElement message)
    {
        var invocationId = message.TryGetProperty("invocationId", out var id) ? id.GetString() : null;
        var target = message.TryGetProperty("target", out var tg) ? tg.GetString() : null;
        var args = message.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.Array ? a : default;
        byte[]? reply;
        try
        {
            reply = target switch
            {
                "JoinRoom" => Join(invocationId, args[0].GetString()!),
                "LeaveRoom" => Leave(invocationId),
                "SendChat" => SendChat(invocationId, args[0].GetString()!),
                "SendGift" => SendGift(invocationId, args[0].GetString()!, args[1].GetInt32()),
                _ => invocationId is null ? null : RawFrames.CompletionError(invocationId, $"unknown_method: {target}"),
            };
        }
        catch (Exception ex) when (ex is InvalidOperationException or IndexOutOfRangeException or FormatException or ArgumentException)
        {
            reply = invocationId is null ? null : RawFrames.CompletionError(invocationId, "invalid_argument: " + ex.Message);
        }

        if (reply is not null)
        {
            Enqueue(reply);
        }
    }

    private byte[]? Join(string? invocationId, string roomId)
    {
        _room?.Remove(this);
        var room = _rooms.Get(roomId);
        room.Add(this);
        _room = room;
        return invocationId is null ? null : RawFrames.Completion(invocationId, w =>
        {
            w.WriteStartObject();
            w.WriteString("roomId"u8, roomId);
            w.WriteNumber("seq"u8, room.Seq);
            w.WriteBoolean("recovered"u8, true);
            w.WriteNumber("online"u8, room.Count);
            w.WriteNumber("serverTime"u8, Now());
            w.WriteEndObject();
        });
    }

    private byte[]? Leave(string? invocationId)
    {
        _room?.Remove(this);
        _room = null;
        return invocationId is null ? null : RawFrames.Completion(invocationId, null);
    }

    private byte[]? SendChat(string? invocationId, string text)
    {
        var room = _room ?? throw new InvalidOperationException("not_joined");
        var eventId = room.NextId();
        room.Publish(RawFrames.Chat(room.RoomId, eventId, _userId, text, Now()));
        return invocationId is null ? null : Acknowledge(invocationId, eventId, null);
    }

    private byte[]? SendGift(string? invocationId, string giftId, int count)
    {
        var room = _room ?? throw new InvalidOperationException("not_joined");
        var eventId = room.NextId();
        var seq = room.NextSeq();
        room.Publish(RawFrames.Gift(room.RoomId, eventId, seq, _userId, giftId, count, Now()));
        return invocationId is null ? null : Acknowledge(invocationId, eventId, seq);
    }

    private static byte[] Acknowledge(string invocationId, long eventId, long? seq) =>
        RawFrames.Completion(invocationId, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("id"u8, eventId);
            if (seq is { } s)
            {
                w.WriteNumber("seq"u8, s);
            }

            w.WriteString("status"u8, "ok");
            w.WriteEndObject();
        });

    private async Task SendLoopAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closing.Token);
        var queue = Volatile.Read(ref _outbound);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stop.Token))
            {
                // Frames sent in one go: more than ShrinkAfter means the queue may have grown that far meanwhile.
                var burst = 0;
                while (queue.Reader.TryRead(out var frame))
                {
                    await _webSocket.SendAsync(frame, WebSocketMessageType.Text, true, stop.Token);
                    burst++;
                }

                if (burst > ShrinkAfter)
                {
                    // Swap in a small queue; frames that raced into the old one go out first, in order.
                    var fresh = NewQueue();
                    Volatile.Write(ref _outbound, fresh);
                    queue.Writer.TryComplete();
                    while (queue.Reader.TryRead(out var frame))
                    {
                        await _webSocket.SendAsync(frame, WebSocketMessageType.Text, true, stop.Token);
                    }

                    queue = fresh;
                    Interlocked.Increment(ref _queueSwaps);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The socket is gone or the connection is closing; the receive loop ends the connection.
            _webSocket.Abort();
        }
    }

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static Channel<byte[]> NewQueue() => Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(QueueLimit) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
}
