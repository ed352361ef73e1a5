using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Protocol;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// One lean receiving viewer: a WebSocket speaking just enough of the SignalR JSON protocol (or, for the
/// <c>liveim-msgpack</c> target, the MessagePack protocol) to join a room anonymously and count what arrives. Costs one receive task, a WebSocket and a gift bitmap per connection; buffers
/// are pooled and held only while bytes are pending.
/// </summary>
/// <remarks>
/// Counters are written only by the receive loop and read by the runner between steps, so they are plain fields read
/// with <see cref="Volatile"/> (64-bit loads and stores are atomic on the platforms .NET runs on).
/// </remarks>
internal sealed class ReceiverConnection
{
    private readonly ReceiverPool? _pool;
    private readonly IReceiverObserver? _observer;
    private readonly TaskCompletionSource _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RecordBuffer _splitter = new(4096, 4 * 1024 * 1024);
    private readonly bool _messagePack;
    private WebSocket? _webSocket;
    private bool _handshaken;
    private int _sending;
    private long _frames;
    private long _chat;
    private long _gifts;
    private long _other;
    private long _bytes;
    private long _unreadable;
    private volatile string? _closeReason;
    private int _closeNotified;

    // messagePack: speak the MessagePack hub protocol (an observer, if any, then sees MessagePack records).
    public ReceiverConnection(ReceiverPool? pool, int index, bool isTracer, IReceiverObserver? observer = null, bool messagePack = false)
    {
        _messagePack = messagePack;
        _pool = pool;
        _observer = observer;
        Index = index;
        IsTracer = isTracer;
    }

    /// <summary>Position in the pool.</summary>
    public int Index { get; }

    /// <summary>Parses every event for latency (most receivers only count).</summary>
    public bool IsTracer { get; }

    /// <summary>Gifts seen, by number.</summary>
    public GiftSet Gifts { get; } = new();

    /// <summary>Event frames received (one per server write of an <c>events</c> invocation).</summary>
    public long Frames => Volatile.Read(ref _frames);

    /// <summary>Chat events received.</summary>
    public long Chat => Volatile.Read(ref _chat);

    /// <summary>Gift events received.</summary>
    public long GiftEvents => Volatile.Read(ref _gifts);

    /// <summary>Events of other lanes (likes, system) received.</summary>
    public long OtherEvents => Volatile.Read(ref _other);

    /// <summary>WebSocket payload bytes received.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    /// <summary>Gift events whose id could not be read.</summary>
    public long UnreadableGifts => Volatile.Read(ref _unreadable);

    // A binary protocol's records go in binary WebSocket messages (the official clients do the same).
    private WebSocketMessageType MessageType => _messagePack ? WebSocketMessageType.Binary : WebSocketMessageType.Text;

    /// <summary>True once joined and until the connection ends.</summary>
    public bool IsLive => _joined.Task.IsCompletedSuccessfully && _closeReason is null;

    /// <summary>Why the connection ended (null while it lives).</summary>
    public string? CloseReason => _closeReason;

    /// <summary>
    /// Connects, completes the SignalR handshake and joins <paramref name="roomId"/> as an anonymous viewer (resuming
    /// after <paramref name="lastSeq"/> when given).
    /// </summary>
    public async Task ConnectAsync(IPEndPoint server, IPAddress source, string roomId, TimeSpan timeout, long? lastSeq = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var webSocket = await WebSocketConnector.ConnectAsync(server, source, SignalRFrames.HubPath, deadline.Token).ConfigureAwait(false);
            _webSocket = webSocket;
            _ = Task.Run(ReceiveLoopAsync, CancellationToken.None);

            await webSocket.SendAsync(_messagePack ? MessagePackFrames.HandshakeRequest : SignalRFrames.HandshakeRequest, MessageType, true, deadline.Token).ConfigureAwait(false);
            await _handshake.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            var join = _messagePack ? MessagePackFrames.JoinRoom(roomId, lastSeq) : SignalRFrames.JoinRoom(roomId, lastSeq);
            await webSocket.SendAsync(join, MessageType, true, deadline.Token).ConfigureAwait(false);
            await _joined.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch
        {
            Abort("connect failed");
            throw;
        }
    }

    /// <summary>Sends a SignalR ping unless a send is already in flight (one WebSocket send at a time).</summary>
    public async Task PingAsync()
    {
        if (_webSocket is not { } webSocket || !IsLive || Interlocked.Exchange(ref _sending, 1) != 0)
        {
            return;
        }

        try
        {
            await webSocket.SendAsync(_messagePack ? MessagePackFrames.Ping : SignalRFrames.Ping, MessageType, true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Abort("ping failed: " + ex.Message);
        }
        finally
        {
            Volatile.Write(ref _sending, 0);
        }
    }

    /// <summary>Drops the connection at once (no close handshake: the run is over or the target is gone).</summary>
    public void Abort(string reason)
    {
        _closeReason ??= reason;
        if (_observer is not null && Interlocked.Exchange(ref _closeNotified, 1) == 0)
        {
            _observer.OnClosed(this, _closeReason ?? reason);
        }

        _handshake.TrySetException(new WebSocketException(reason));
        _joined.TrySetException(new WebSocketException(reason));
        _webSocket?.Abort();
        _webSocket?.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var webSocket = _webSocket!;
        try
        {
            while (true)
            {
                if (_splitter.IsEmpty)
                {
                    // Idle: wait for the next frame without holding a buffer.
                    _splitter.ReleaseIfEmpty();
                    var probe = await webSocket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                    if (probe.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }
                }

                var result = await webSocket.ReceiveAsync(_splitter.GetMemory(), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                _splitter.Advance(result.Count);
                _bytes += result.Count;
                var now = Stopwatch.GetTimestamp();
                while (_splitter.TryReadRecord(out var record))
                {
                    Process(record.Span, now);
                }
            }

            Abort(webSocket.CloseStatusDescription is { Length: > 0 } d ? "closed by server: " + d : "closed by server");
        }
#pragma warning disable CA1031 // Whatever ends the loop ends this connection only; the reason is kept for the report.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Abort(ex.GetType().Name + ": " + ex.Message);
        }
        finally
        {
            _splitter.Dispose();
        }
    }

    private void Process(ReadOnlySpan<byte> record, long now)
    {
        if (!_handshaken)
        {
            // HandshakeResponse: "{}" on success, {"error":"..."} otherwise.
            if (record.Trim(" \r\n\t"u8).SequenceEqual("{}"u8))
            {
                _handshaken = true;
                if (_messagePack)
                {
                    _splitter.UseLengthPrefix();
                }

                _handshake.TrySetResult();
            }
            else
            {
                _handshake.TrySetException(new WebSocketException("handshake refused: " + Encoding.UTF8.GetString(record)));
            }

            return;
        }

        if (_messagePack)
        {
            ProcessMessagePack(record, now);
            return;
        }

        if (EventScanner.IsEventsInvocation(record))
        {
            _frames++;
            var counts = EventScanner.Count(record, Gifts);
            _chat += counts.Chat;
            _gifts += counts.Gift;
            _other += counts.Like + counts.Other;
            _unreadable += counts.UnreadableGifts;
            if (IsTracer && _pool?.Window is { } window)
            {
                EventScanner.Trace(record, now, window);
            }

            _observer?.OnEvents(this, record, counts, now);

            return;
        }

        ProcessControl(record);
    }

    // The same for a MessagePack record: events counted in one walk (tracers also read their timestamps).
    private void ProcessMessagePack(ReadOnlySpan<byte> record, long now)
    {
        if (MessagePackScanner.IsEventsInvocation(record))
        {
            _frames++;
            var counts = MessagePackScanner.Count(record, Gifts, IsTracer ? _pool?.Window : null, now);
            _chat += counts.Chat;
            _gifts += counts.Gift;
            _other += counts.Like + counts.Other;
            _unreadable += counts.UnreadableGifts;
            _observer?.OnEvents(this, record, counts, now);
            return;
        }

        var (type, invocationId, error) = MessagePackScanner.ReadControl(record);
        Control(type, invocationId, error, record);
    }

    // Completion of JoinRoom (type 3), server Close (type 7); pings (type 6) and anything else are ignored.
    private void ProcessControl(ReadOnlySpan<byte> record)
    {
        int type = 0;
        string? invocationId = null;
        string? error = null;
        try
        {
            var reader = new Utf8JsonReader(record);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("type"u8))
                {
                    reader.Read();
                    type = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : 0;
                }
                else if (reader.ValueTextEquals("invocationId"u8))
                {
                    reader.Read();
                    invocationId = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    error = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return;
        }

        Control(type, invocationId, error, record);
    }

    private void Control(int type, string? invocationId, string? error, ReadOnlySpan<byte> record)
    {
        if (type == 3 && invocationId == SignalRFrames.JoinInvocationId)
        {
            if (error is null)
            {
                _observer?.OnJoined(this, record);
                _joined.TrySetResult();
            }
            else
            {
                _joined.TrySetException(new WebSocketException("JoinRoom failed: " + error));
            }
        }
        else if (type == 1)
        {
            _observer?.OnInvocation(this, record);
        }
        else if (type == 7)
        {
            _closeReason ??= "server sent Close" + (error is null ? string.Empty : ": " + error);
        }
    }
}
