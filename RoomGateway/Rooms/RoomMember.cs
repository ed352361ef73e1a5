using System.Runtime.CompilerServices;
using LiveIm.Core.Errors;
using LiveIm.RoomGateway.Delivery;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// One connection as the room engine sees it: identity, room, and a bounded outbound backlog.
/// <para>
/// Writing: a room tick offers its frame; when nothing is pending the frame is written at once by the offering
/// thread (the usual case: the transport takes it without waiting). If the transport is full (the client reads
/// slowly), the write continues asynchronously and later frames queue behind it. The broadcast never waits.
/// </para>
/// <para>
/// Slow consumers: past <see cref="FanoutOptions.ChatDropBacklogBytes"/> queued the member gets the reliable lanes
/// only (chat and likes dropped, counted) until its backlog is empty again; past
/// <see cref="FanoutOptions.CloseBacklogBytes"/> it is closed with <c>slow_consumer</c> and resumes with lastSeq.
/// </para>
/// <para>
/// Joining: while the join fetches its snapshot, offered frames are held; <see cref="CompleteHold"/> sends the
/// history, then the held events the history did not carry, in order and without duplicates. Until a room frame
/// starts past the highest seq the join gave, the member filters its frames against it (the room's pending tick
/// may still carry seqs the history read already held).
/// </para>
/// </summary>
public sealed class RoomMember : IThreadPoolWorkItem, IAsyncDisposable
{
    private static int s_nextShardSeed;
    private readonly HubConnectionContext _connection;
    private readonly FrameSocket? _socket; // frames go straight to the WebSocket when the connection has one
    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;
    private readonly FrameFormat _format; // the connection's hub protocol: which bytes of a RoomFrame it is written
    private readonly object _gate = new();
    private Queue<RoomFrame>? _queue; // made when a frame first has to wait: most connections never queue one
    private long _queuedBytes;
    private bool _writing;
    private bool _degraded;
    private bool _closed;
    private int _closeStarted;
    private List<RoomFrame>? _held;
    private long _floor;

    public RoomMember(HubConnectionContext connection, MemberIdentity identity, FanoutOptions options, FanoutMetrics metrics)
    {
        _connection = connection;
        Identity = identity;
        _options = options;
        _metrics = metrics;
        _format = FrameFormats.Of(connection.Protocol);
        _socket = FrameSocket.Of(connection);
        metrics.WriterCreated(direct: _socket is not null);
    }

    /// <summary>The SignalR connection id.</summary>
    public string ConnectionId => _connection.ConnectionId;

    /// <summary>Who it is.</summary>
    public MemberIdentity Identity { get; }

    /// <summary>Which bytes of a <see cref="RoomFrame"/> the connection is written (its hub protocol's).</summary>
    public FrameFormat Format => _format;

    /// <summary>The joined room, or null.</summary>
    public string? RoomId { get; set; }

    /// <summary>Serializes JoinRoom/LeaveRoom of this connection.</summary>
    public SemaphoreSlim MembershipLock { get; } = new(1, 1);

    /// <summary>Picks the member's shard in every room it joins (fixed for its life; see <see cref="MemberShards.Add"/>).</summary>
    internal int ShardSeed { get; } = Interlocked.Increment(ref s_nextShardSeed);

    /// <summary>Where the member sits in its room's membership shards (owned by <see cref="MemberShards"/>).</summary>
    internal int Shard { get; set; } = -1;

    /// <summary>Index in the shard's array (owned by <see cref="MemberShards"/>).</summary>
    internal int Slot { get; set; } = -1;

    /// <summary>Starts holding live frames (the join is fetching its snapshot).</summary>
    public void BeginHold()
    {
        lock (_gate)
        {
            ReleaseHeld();
            _held = new List<RoomFrame>();
            _floor = 0;
        }
    }

    /// <summary>Drops whatever was held (the join failed).</summary>
    public void CancelHold()
    {
        lock (_gate)
        {
            ReleaseHeld();
        }
    }

    /// <summary>
    /// Sends <paramref name="history"/> then the held live events past <paramref name="seenSeq"/> (the highest seq
    /// the connection has: its lastSeq or the history's last), as frames of at most
    /// <see cref="FanoutOptions.MaxFrameBytes"/>, and goes live.
    /// </summary>
    public void CompleteHold(IReadOnlyList<TickEvent> history, long seenSeq)
    {
        Pending sent;
        lock (_gate)
        {
            var batch = new List<TickEvent>(history);
            _floor = seenSeq;
            foreach (var held in _held ?? [])
            {
                foreach (var e in held.Events)
                {
                    if (e.Seq is not { } seq || seq > _floor)
                    {
                        batch.Add(e);
                        _floor = Math.Max(_floor, e.Seq ?? 0);
                    }
                }
            }

            ReleaseHeld();
            if (batch.Count == 0 || _closed)
            {
                return;
            }

            sent = EnqueuePiecesLocked(batch);
        }

        Finish(sent);
    }

    /// <summary>
    /// Sends one page of a resume that history answers in several (the join still holds live frames): the page's
    /// events as frames of at most <see cref="FanoutOptions.MaxFrameBytes"/>. The caller waits for
    /// <see cref="ResumeBacklog"/> to clear before it reads the next page, so a resume never queues more than a page.
    /// </summary>
    public void SendResumePage(List<TickEvent> page)
    {
        Pending sent;
        lock (_gate)
        {
            if (page.Count == 0 || _closed)
            {
                return;
            }

            sent = EnqueuePiecesLocked(page);
        }

        Finish(sent);
    }

    /// <summary>
    /// True while frames handed to this member are still on their way into the transport (what a resume paces its
    /// pages on). Read by polling: a resume is rare, and a completion source per connection would cost every member
    /// memory for it.
    /// </summary>
    public bool ResumeBacklog
    {
        get
        {
            lock (_gate)
            {
                return _writing && !_closed;
            }
        }
    }

    /// <summary>True once the member was closed or its connection failed: nothing more reaches it.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    // Frames enqueued under _gate whose writing (or closing) starts after the lock is left, as Offer's do.
    private readonly record struct Pending(List<RoomFrame> Frames, RoomFrame? ToWrite, bool Close);

    // Under _gate: builds each piece's frame and enqueues it (the first is handed back to be written when nothing is
    // pending; the rest queue behind it).
    private Pending EnqueuePiecesLocked(List<TickEvent> events)
    {
        var frames = new List<RoomFrame>(1);
        RoomFrame? first = null;
        var close = false;
        foreach (var piece in FramePieces.Of(events, _options.MaxFrameBytes))
        {
            var frame = RoomFrame.Build(piece);
            frames.Add(frame);
            EnqueueLocked(frame, out var toWrite, out close);
            first ??= toWrite;
            if (close)
            {
                break;
            }
        }

        return new Pending(frames, first, close);
    }

    private void Finish(Pending sent)
    {
        if (!sent.Close)
        {
            foreach (var frame in sent.Frames)
            {
                _metrics.Delivered(frame.Counts, 1, 1, frame.LengthIn(_format));
            }
        }

        Continue(sent.ToWrite, sent.Close);
        foreach (var frame in sent.Frames)
        {
            frame.Release();
        }
    }

    /// <summary>
    /// Offers a room tick's frame. <paramref name="reliableOnly"/> is the same tick without its chat and likes
    /// (null when the tick had no reliable event); a backed-up member gets that one. Never blocks on the client.
    /// </summary>
    /// <returns>The frame handed to this member (for delivery counts), or null when nothing was.</returns>
    public RoomFrame? Offer(RoomFrame full, RoomFrame? reliableOnly)
    {
        RoomFrame? toWrite;
        bool close;
        RoomFrame? chosen;
        RoomFrame? own = null;
        lock (_gate)
        {
            if (_closed)
            {
                return null;
            }

            if (_held is not null)
            {
                _held.Add(full.AddReference());
                return null; // counted when the hold completes
            }

            chosen = full;
            if (full.Counts.BestEffort > 0)
            {
                // Past the chat threshold, or when this frame's chat would take the backlog over the close limit (a
                // long tick's frames are big): drop to the reliable lanes first; only the reliable lanes alone
                // overflowing close the member.
                if (!_degraded && (_queuedBytes >= _options.ChatDropBacklogBytes || _queuedBytes + full.LengthIn(_format) > _options.CloseBacklogBytes))
                {
                    _degraded = true;
                    _metrics.WentDegraded();
                }

                if (_degraded)
                {
                    _metrics.Drop(full.Counts with { Gift = 0, System = 0 });
                    chosen = reliableOnly;
                    if (chosen is null)
                    {
                        return null;
                    }
                }
            }

            if (_floor > 0 && chosen.HasReliable)
            {
                if (chosen.MinSeq > _floor)
                {
                    _floor = 0; // the room writes reliable seqs in order: nothing later can be one the join gave
                }
                else
                {
                    own = WithoutSeenLocked(chosen);
                    if (own is null)
                    {
                        return null;
                    }

                    chosen = own;
                }
            }

            EnqueueLocked(chosen, out toWrite, out close);
        }

        Continue(toWrite, close);
        if (own is not null)
        {
            if (!close)
            {
                _metrics.Delivered(own.Counts, 1, 1, own.LengthIn(_format));
            }

            own.Release();
            return null; // counted here: the room counts only the frames it built
        }

        return close ? null : chosen;
    }

    // Under _gate, right after a resume: the room's next tick may still carry reliable events the join's history
    // already gave (they were pending in the room when the history was read). This member gets the frame without
    // them (null when nothing else is left); every other member gets the room's frame as it is.
    private RoomFrame? WithoutSeenLocked(RoomFrame frame)
    {
        var events = new List<TickEvent>(frame.Events.Count);
        foreach (var e in frame.Events)
        {
            if (e.Seq is not { } seq || seq > _floor)
            {
                events.Add(e);
            }
        }

        return events.Count == 0 ? null : RoomFrame.Build(events);
    }

    /// <summary>Releases everything queued; later offers are ignored.</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _closed = true;
            ReleaseQueued(countAsDropped: false);
            ReleaseHeld();
        }

        return ValueTask.CompletedTask;
    }

    void IThreadPoolWorkItem.Execute() => _ = DrainAsync();

    // Under _gate. Either hands the frame back to be written now (nothing pending), queues it, or decides to close.
    // A frame handed back is written while the caller still holds its reference (no reference taken unless the
    // write has to wait); a queued frame takes its own reference.
    private void EnqueueLocked(RoomFrame frame, out RoomFrame? toWrite, out bool close)
    {
        toWrite = null;
        close = false;
        if (!_writing)
        {
            _writing = true;
            toWrite = frame;
            return;
        }

        if (_queuedBytes + frame.LengthIn(_format) > _options.CloseBacklogBytes)
        {
            _closed = true;
            close = true;
            _metrics.Drop(frame.Counts);
            ReleaseQueued(countAsDropped: true);
            ReleaseHeld();
            return;
        }

        (_queue ??= new Queue<RoomFrame>(4)).Enqueue(frame.AddReference());
        _queuedBytes += frame.LengthIn(_format);
    }

    private void Continue(RoomFrame? toWrite, bool close)
    {
        if (close)
        {
            _ = CloseSlowConsumerAsync();
        }
        else if (toWrite is not null)
        {
            WriteNow(toWrite);
        }
    }

    // The fast path: the transport usually takes the bytes without waiting, and then nothing else happens (not
    // even a reference count: the caller's reference covers a write that completes at once).
    private void WriteNow(RoomFrame frame)
    {
        ValueTask write;
        try
        {
            write = Write(frame);
        }
        catch (Exception)
        {
            Fail();
            return;
        }

        if (write.IsCompletedSuccessfully)
        {
            lock (_gate)
            {
                if (_queue is not { Count: > 0 } || _closed)
                {
                    _writing = false;
                    _degraded = false;
                    return;
                }
            }

            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            return;
        }

        _ = AwaitThenDrainAsync(write, frame.AddReference());
    }

    private ValueTask Write(RoomFrame frame) =>
        _socket is { } socket ? socket.SendRecordAsync(frame.RecordFor(_format), _format) : _connection.WriteAsync(frame.MessageFor(_format));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask AwaitThenDrainAsync(ValueTask write, RoomFrame frame)
    {
        try
        {
            await write;
        }
        catch (Exception)
        {
            Fail();
            return;
        }
        finally
        {
            frame.Release();
        }

        await DrainAsync();
    }

    // One writer at a time per connection (the _writing flag) keeps frames in order.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync()
    {
        while (true)
        {
            RoomFrame frame;
            lock (_gate)
            {
                if (_closed || _queue is null || !_queue.TryDequeue(out frame!))
                {
                    _writing = false;
                    _degraded = false;
                    return;
                }

                _queuedBytes -= frame.LengthIn(_format);
            }

            try
            {
                await Write(frame);
            }
            catch (Exception)
            {
                Fail();
                return;
            }
            finally
            {
                frame.Release();
            }
        }
    }

    /// <summary>
    /// Closes the connection with a SignalR close message whose error is <paramref name="error"/> (<c>"code: detail"</c>):
    /// no room frame reaches it any more (what was queued is released), the close message is written, and the socket
    /// is aborted when the client has not taken it within <see cref="FanoutOptions.CloseGraceMs"/>. For slow
    /// consumers, floods and bans; the first close wins, later calls do nothing.
    /// </summary>
    public Task CloseAsync(string error, bool allowReconnect)
    {
        lock (_gate)
        {
            _closed = true;
            ReleaseQueued(countAsDropped: false);
            ReleaseHeld();
        }

        return CloseOnceAsync(error, allowReconnect);
    }

    private Task CloseSlowConsumerAsync()
    {
        _metrics.SlowConsumerClosed();
        var message = $"{ErrorCodes.SlowConsumer}: the connection fell {_options.CloseBacklogBytes / 1024} KB behind the room; reconnect and resume with lastSeq";
        return CloseOnceAsync(message, allowReconnect: true);
    }

    private async Task CloseOnceAsync(string error, bool allowReconnect)
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0)
        {
            return;
        }

        try
        {
            // Queued behind whatever the transport still holds: a client that reads again sees why it was closed;
            // one that never does is aborted at the deadline.
            using var grace = new CancellationTokenSource(_options.CloseGraceMs);
            await _connection.WriteAsync(new CloseMessage(error, allowReconnect), grace.Token);
        }
        catch (Exception)
        {
            // Not delivered in time or the connection is gone: abort anyway.
        }

        _connection.Abort();
    }

    private void Fail()
    {
        lock (_gate)
        {
            _closed = true;
            _writing = false;
            ReleaseQueued(countAsDropped: true);
            ReleaseHeld();
        }
    }

    private void ReleaseQueued(bool countAsDropped)
    {
        while (_queue is not null && _queue.TryDequeue(out var frame))
        {
            if (countAsDropped)
            {
                _metrics.Drop(frame.Counts);
            }

            frame.Release();
        }

        _queuedBytes = 0;
    }

    private void ReleaseHeld()
    {
        if (_held is { } held)
        {
            _held = null;
            foreach (var frame in held)
            {
                frame.Release();
            }
        }
    }
}
