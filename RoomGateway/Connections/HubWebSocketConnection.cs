using System.Collections;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace LiveIm.RoomGateway.Connections;

/// <summary>
/// One hub connection over one accepted WebSocket, as SignalR's <c>HubConnectionHandler</c> sees it: the
/// <see cref="ConnectionContext"/> it runs on, its own feature collection (the heartbeat, the transfer format, the
/// user, the HTTP context) and its transport: an input <see cref="Pipe"/> that a receive loop fills from the socket,
/// and an output that sends each flush as one WebSocket message (<see cref="WebSocketMessageWriter"/>).
/// </summary>
/// <remarks>
/// This replaces, for the gateway's WebSocket connections, what <c>Microsoft.AspNetCore.Http.Connections</c> puts
/// between the socket and the hub (<see cref="HubWebSocketEndpoint"/> says why); the behaviour SignalR's WebSocket
/// transport has is kept where a client can see it: the receive loop waits with a zero-byte read (an idle connection
/// holds no buffer), a client's close frame ends the connection, and when the hub ends the connection first the
/// gateway sends a close frame and waits <see cref="CloseTimeout"/> for the client's before dropping the socket.
/// </remarks>
internal sealed class HubWebSocketConnection : ConnectionContext, IDuplexPipe, IFeatureCollection,
    IConnectionHeartbeatFeature, ITransferFormatFeature, IHttpContextFeature, IConnectionUserFeature, IHttpTransportFeature
{
    /// <summary>How long a closing connection waits for the client's close frame (SignalR's WebSocket default).</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpContext _http;
    private readonly WebSocket _socket;
    private readonly Pipe _input;
    private readonly WebSocketMessageWriter _output;
    private IDictionary<object, object?>? _items;
    private FeatureCollection? _more;
    private Beat[]? _beats; // replaced whole on each registration, read without a lock by the heartbeat

    public HubWebSocketConnection(HttpContext http, WebSocket socket, string connectionId, PipeOptions inputOptions)
    {
        _http = http;
        _socket = socket;
        ConnectionId = connectionId;
        _input = new Pipe(inputOptions);
        _output = new WebSocketMessageWriter(socket, this);
    }

    // ConnectionHeartbeat's list.
    internal HubWebSocketConnection? Previous { get; set; }

    internal HubWebSocketConnection? Next { get; set; }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features => this;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport
    {
        get => this;
        set => throw new NotSupportedException("the transport of a WebSocket hub connection is fixed");
    }

    public override CancellationToken ConnectionClosed
    {
        get => _http.RequestAborted;
        set => throw new NotSupportedException();
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _http.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, _http.Connection.RemotePort) : null;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint
    {
        get => _http.Connection.LocalIpAddress is { } ip ? new IPEndPoint(ip, _http.Connection.LocalPort) : null;
        set => throw new NotSupportedException();
    }

    PipeReader IDuplexPipe.Input => _input.Reader;

    PipeWriter IDuplexPipe.Output => _output;

    public TransferFormat SupportedFormats => TransferFormat.Binary | TransferFormat.Text;

    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    HttpContext? IHttpContextFeature.HttpContext
    {
        get => _http;
        set => throw new NotSupportedException();
    }

    System.Security.Claims.ClaimsPrincipal? IConnectionUserFeature.User
    {
        get => _http.User;
        set => _http.User = value!;
    }

    HttpTransportType IHttpTransportFeature.TransportType => HttpTransportType.WebSockets;

    /// <summary>Runs the hub on this connection to its end, then closes the socket (see the remarks).</summary>
    public async Task RunAsync(ConnectionHandler hub, ConnectionHeartbeat heartbeat)
    {
        var receiving = ReceiveAsync();
        heartbeat.Add(this);
        try
        {
            await hub.OnConnectedAsync(this).ConfigureAwait(false);
        }
        finally
        {
            heartbeat.Remove(this);
            _output.Complete();
            await _input.Reader.CompleteAsync().ConfigureAwait(false);
            await CloseAsync(receiving).ConfigureAwait(false);
        }
    }

    public override void Abort(ConnectionAbortedException abortReason) => _http.Abort();

    /// <summary>Ends the hub's reading of this connection (the gateway stops): the hub then ends the connection.</summary>
    internal void EndInput() => _input.Reader.CancelPendingRead();

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // The heartbeat feature: SignalR registers two callbacks per connection (keep-alive, client timeout).
    public void OnHeartbeat(Action<object> action, object state)
    {
        while (true)
        {
            var beats = Volatile.Read(ref _beats);
            Beat[] more = beats is null ? [new(action, state)] : [.. beats, new(action, state)];
            if (Interlocked.CompareExchange(ref _beats, more, beats) == beats)
            {
                return;
            }
        }
    }

    internal void OnHeartbeat()
    {
        if (Volatile.Read(ref _beats) is not { } beats)
        {
            return;
        }

        foreach (var beat in beats)
        {
            try
            {
                beat.Action(beat.State);
            }
            catch
            {
                // SignalR's callbacks do not throw; if one did, the other connections' heartbeats still run.
            }
        }
    }

    // From the socket into the input pipe, as SignalR's WebSocket transport reads: wait with a zero-byte read, then take
    // what came into the pipe's memory. Ends at the client's close frame, when the socket fails or when the hub stops
    // reading; the pipe's writer is completed then (with the error, unless the client just went away).
    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var wait = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (wait.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var received = await _socket.ReceiveAsync(writer.GetMemory(), CancellationToken.None).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                writer.Advance(received.Count);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ConnectionAbortedException or IOException or ObjectDisposedException)
        {
            // The client went away without a close frame (or the gateway dropped the socket): the end of the input.
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            await writer.CompleteAsync(error).ConfigureAwait(false);
        }
    }

    // After the hub: the close handshake, started by whichever side has not started it, bounded by CloseTimeout.
    private async Task CloseAsync(Task receiving)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(CloseTimeout);
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }

            await receiving.WaitAsync(CloseTimeout).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _http.Abort();
        }

        await receiving.ConfigureAwait(false);
    }

    // IFeatureCollection: the features above are this object; anything else SignalR or a filter sets goes to a small
    // collection made on first use.
    public bool IsReadOnly => false;

    public int Revision => _more?.Revision ?? 0;

    public object? this[Type key]
    {
        get => Own(key) ? this : _more?[key];
        set => (_more ??= new FeatureCollection())[key] = value;
    }

    public TFeature? Get<TFeature>() => (TFeature?)this[typeof(TFeature)];

    public void Set<TFeature>(TFeature? instance) => this[typeof(TFeature)] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator()
    {
        yield return new(typeof(IConnectionHeartbeatFeature), this);
        yield return new(typeof(ITransferFormatFeature), this);
        yield return new(typeof(IHttpContextFeature), this);
        yield return new(typeof(IConnectionUserFeature), this);
        yield return new(typeof(IHttpTransportFeature), this);
        if (_more is not null)
        {
            foreach (var feature in _more)
            {
                yield return feature;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Own(Type key) =>
        key == typeof(IConnectionHeartbeatFeature) || key == typeof(ITransferFormatFeature) || key == typeof(IHttpContextFeature) ||
        key == typeof(IConnectionUserFeature) || key == typeof(IHttpTransportFeature);

    private readonly record struct Beat(Action<object> Action, object State);
}
