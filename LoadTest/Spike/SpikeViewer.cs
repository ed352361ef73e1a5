using System.Buffers.Text;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Protocol;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// One viewer as a client following docs/protocol.md would be: over its life it may hold several lean connections
/// (<see cref="ReceiverConnection"/>), one at a time except while moving. It keeps the last contiguous reliable seq
/// to resume with, and checks the server's promises on every reliable event: on one connection at most once and in
/// seq order, never a seq at or below the <c>lastSeq</c> it resumed with, never one gift under two seqs.
/// </summary>
/// <remarks>
/// Two connections deliver at once only while moving (the old one is kept until the new one has joined), and then a
/// seq can arrive on both: that is the overlap a client drops by seq (counted, not a duplicate). The per-viewer lock
/// is taken only for frames with reliable events.
/// </remarks>
internal sealed class SpikeViewer : IReceiverObserver
{
    private readonly ViewerCrowd _crowd;
    private readonly object _gate = new();
    private readonly GiftSet _seqSeen = new();
    private readonly GiftSet _giftsSeen = new();
    private readonly Dictionary<ReceiverConnection, ConnectionState> _connections = [];
    private readonly Channel<ViewerSignal> _signals = Channel.CreateBounded<ViewerSignal>(new BoundedChannelOptions(8) { FullMode = BoundedChannelFullMode.DropOldest });
    private ReceiverConnection? _current;
    private long _contiguous = -1;
    private long _events;
    private long _leftAt;
    private bool _leaving;

    public SpikeViewer(ViewerCrowd crowd, int index, string roomId, bool isTracer)
    {
        _crowd = crowd;
        Index = index;
        RoomId = roomId;
        IsTracer = isTracer;
    }

    /// <summary>The viewer's number.</summary>
    public int Index { get; }

    /// <summary>Its room.</summary>
    public string RoomId { get; }

    /// <summary>Records latency of every event it receives.</summary>
    public bool IsTracer { get; }

    /// <summary>The room's seq at its first join (gifts after it are owed to it); -1 before.</summary>
    public long BaselineSeq { get; private set; } = -1;

    /// <summary>When it left (the leave storm or the run's end), or 0 while in the room.</summary>
    public long LeftTimestamp => Volatile.Read(ref _leftAt);

    /// <summary>Events received, all lanes and connections.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>The gateway its current connection is on.</summary>
    public Uri? Gateway { get; private set; }

    /// <summary>The id assignment gave for <see cref="Gateway"/> (what a rejoin asks assignment to pass over).</summary>
    public string? GatewayId { get; private set; }

    /// <summary>True while it has a joined, open connection.</summary>
    public bool IsConnected => _current is { IsLive: true };

    /// <summary>Its current connection (the last one that joined).</summary>
    public ReceiverConnection? CurrentConnection => Volatile.Read(ref _current);

    /// <summary>Reliable seqs it saw twice on one connection, or at or below the lastSeq a connection resumed with, or one gift under two seqs.</summary>
    public long Duplicated { get; private set; }

    /// <summary>Seqs seen on both connections while moving (dropped by seq, as a client does).</summary>
    public long Overlap { get; private set; }

    /// <summary>Times a reliable seq arrived more than one past the last contiguous one.</summary>
    public long Gaps { get; private set; }

    /// <summary>The last contiguous reliable seq: what it resumes with.</summary>
    public long? ResumeSeq
    {
        get
        {
            lock (_gate)
            {
                return _contiguous >= 0 ? _contiguous : null;
            }
        }
    }

    /// <summary>True when it has seen gift <paramref name="number"/>.</summary>
    public bool HasGift(long number) => _giftsSeen.Contains(number);

    /// <summary>What tells it to move.</summary>
    public ChannelReader<ViewerSignal> Signals => _signals.Reader;

    /// <summary>Registers a connection about to join (resuming after <paramref name="lastSeq"/>), so its first events count.</summary>
    public void Attach(ReceiverConnection connection, Uri gateway, long? lastSeq)
    {
        lock (_gate)
        {
            _connections[connection] = new ConnectionState(lastSeq);
        }

        _ = gateway;
    }

    /// <summary>Forgets a connection that failed to join.</summary>
    public void Detach(ReceiverConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    /// <summary>Makes <paramref name="connection"/> the current one (it has joined); returns the previous one.</summary>
    public ReceiverConnection? Promote(ReceiverConnection connection, Uri gateway, string? gatewayId)
    {
        lock (_gate)
        {
            var previous = _current;
            _current = connection;
            Gateway = gateway;
            GatewayId = gatewayId;
            return previous;
        }
    }

    /// <summary>Leaves the room: marks the time and drops the connection (a phone closing the app).</summary>
    public void Leave()
    {
        ReceiverConnection? current;
        lock (_gate)
        {
            _leaving = true;
            Volatile.Write(ref _leftAt, Stopwatch.GetTimestamp());
            current = _current;
        }

        current?.Abort("left");
    }

    /// <summary>Drops a connection it no longer needs (the old one after a move).</summary>
    public void Drop(ReceiverConnection connection)
    {
        connection.Abort("moved");
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    void IReceiverObserver.OnJoined(ReceiverConnection connection, ReadOnlySpan<byte> completion)
    {
        // {"type":3,"invocationId":"1","result":{"roomId":"r","seq":N,...}}: the room's seq at this join.
        long seq = -1;
        try
        {
            var reader = new Utf8JsonReader(completion);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2 && reader.ValueTextEquals("seq"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                {
                    seq = reader.GetInt64();
                    break;
                }
            }
        }
        catch (JsonException)
        {
            seq = -1;
        }

        lock (_gate)
        {
            if (_connections.TryGetValue(connection, out var state))
            {
                state.JoinSeq = seq;
            }

            if (BaselineSeq < 0 && seq >= 0)
            {
                // A fresh first join: gifts after this seq are owed to the viewer; live events start after it.
                BaselineSeq = seq;
                _contiguous = Math.Max(_contiguous, seq);
                Advance();
            }
        }
    }

    void IReceiverObserver.OnEvents(ReceiverConnection connection, ReadOnlySpan<byte> frame, in EventCounts counts, long now)
    {
        Interlocked.Add(ref _events, counts.Total);
        _crowd.CountFrame(counts, frame.Length);
        if (counts.Gift == 0 && counts.Other == 0 && !IsTracer)
        {
            return;
        }

        var reader = new FrameReader(frame, IsTracer);
        var locked = false;
        try
        {
            while (reader.Next(out var e))
            {
                if (IsTracer && e.SentTimestamp > 0)
                {
                    _crowd.RecordLatency(e.Lane, e.SentTimestamp, now);
                }

                if (e.Seq < 0)
                {
                    continue;
                }

                if (!locked)
                {
                    Monitor.Enter(_gate);
                    locked = true;
                }

                OnReliable(connection, e);
            }
        }
        finally
        {
            if (locked)
            {
                Monitor.Exit(_gate);
            }
        }
    }

    void IReceiverObserver.OnInvocation(ReceiverConnection connection, ReadOnlySpan<byte> record)
    {
        // {"type":1,"target":"reconnect","arguments":[{"reason":"draining","delayMs":12345}]}
        if (record.IndexOf("\"target\":\"reconnect\""u8) < 0)
        {
            return;
        }

        var delay = TimeSpan.Zero;
        var at = record.IndexOf("\"delayMs\":"u8);
        if (at >= 0 && Utf8Parser.TryParse(record[(at + 10)..], out long ms, out _) && ms >= 0)
        {
            delay = TimeSpan.FromMilliseconds(Math.Min(ms, 10 * 60_000));
        }

        _signals.Writer.TryWrite(new ViewerSignal(connection, Stopwatch.GetTimestamp(), delay, "reconnect"));
    }

    void IReceiverObserver.OnClosed(ReceiverConnection connection, string reason)
    {
        bool current;
        lock (_gate)
        {
            current = ReferenceEquals(connection, _current) && !_leaving;
        }

        if (current)
        {
            _signals.Writer.TryWrite(new ViewerSignal(connection, Stopwatch.GetTimestamp(), null, reason));
        }
    }

    // Under _gate.
    private void OnReliable(ReceiverConnection connection, FrameEvent e)
    {
        if (_connections.TryGetValue(connection, out var state))
        {
            if (e.Seq <= state.LastSeq || (state.ResumedAfter is { } after && e.Seq <= after))
            {
                // The server promised at most once, in order, after lastSeq: a real duplicate.
                Duplicated++;
                _crowd.Duplicated.Add();
                return;
            }

            state.LastSeq = e.Seq;
        }

        if (_seqSeen.Contains(e.Seq))
        {
            Overlap++;
            return;
        }

        _seqSeen.Add(e.Seq);
        if (e.GiftNumber >= 0)
        {
            if (_giftsSeen.Contains(e.GiftNumber))
            {
                Duplicated++; // one gift under two seqs
                _crowd.Duplicated.Add();
            }
            else
            {
                _giftsSeen.Add(e.GiftNumber);
                _crowd.GiftsDelivered.Add();
            }
        }

        if (_contiguous >= 0 && e.Seq > _contiguous + 1)
        {
            Gaps++;
            _crowd.Gaps.Add();
        }

        Advance();
    }

    private void Advance()
    {
        if (_contiguous < 0)
        {
            return;
        }

        while (_seqSeen.Contains(_contiguous + 1))
        {
            _contiguous++;
        }
    }

    private sealed class ConnectionState(long? resumedAfter)
    {
        public long? ResumedAfter { get; } = resumedAfter;

        public long LastSeq { get; set; } = -1;

        public long JoinSeq { get; set; } = -1;
    }
}
