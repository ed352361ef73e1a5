using System.Net.WebSockets;
using System.Text.Json;
using LiveIm.SignalR.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveIm.SignalR;

/// <summary>
/// A client for one ASP.NET Core SignalR hub over WebSockets with the JSON hub protocol.
/// </summary>
/// <remarks>
/// <para>Life: <see cref="HubConnectionState.Disconnected"/> → <see cref="StartAsync"/> → <see cref="HubConnectionState.Connected"/>
/// → stopped or lost → <see cref="HubConnectionState.Closed"/>, raising <see cref="Closed"/> once. There is no automatic
/// reconnect: create a new connection.</para>
/// <para>Cost per connection is kept small for load tests with tens of thousands of clients in one process: one receive
/// loop task (no thread), a receive buffer rented only while bytes are arriving, pooled send buffers, and a single
/// process-wide timer for keep-alive and server-timeout checks (<see cref="Heartbeat"/>).</para>
/// <para>This file holds the state machine; see <c>HubConnection.Negotiate.cs</c>, <c>.Invoke.cs</c>, <c>.Receive.cs</c>,
/// <c>.KeepAlive.cs</c> and <c>.Log.cs</c> for the rest.</para>
/// </remarks>
public sealed partial class HubConnection : IAsyncDisposable
{
    /// <summary>How long <see cref="StopAsync"/> waits for the server to acknowledge the close before aborting the socket.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Set while <see cref="Closed"/> handlers run, so a handler calling <see cref="StopAsync"/> does not wait for itself.</summary>
    private static readonly AsyncLocal<HubConnection?> s_raisingClosed = new();

    private readonly HubConnectionOptions _options;
    private readonly JsonSerializerOptions _serializerOptions;
    private readonly ILogger _logger;

    // One WebSocket send at a time: ManagedWebSocket allows a single outstanding send, and a frame must not interleave.
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    // Guards _pending, _pendingClosed and handler registration changes.
    private readonly object _gate = new();

    // Completed after the receive loop ended and Closed handlers ran; StopAsync and DisposeAsync wait on it.
    private readonly TaskCompletionSource _closedCompletion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _state; // HubConnectionState
    private ClientWebSocket? _webSocket;
    private RecordBuffer? _receiveBuffer;
    private volatile bool _stopRequested;
    private Exception? _abortReason;
    private string? _closeError;
    private bool? _allowReconnect;

    /// <summary>Creates a connection; nothing happens on the network until <see cref="StartAsync"/>.</summary>
    public HubConnection(HubConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Url);
        if (options.Url.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            throw new ArgumentException($"The hub URL must be http, https, ws or wss, not '{options.Url.Scheme}'.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReceiveBufferSize, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaximumReceiveMessageSize, options.ReceiveBufferSize, nameof(options));
        if (options.HandshakeTimeout <= TimeSpan.Zero && options.HandshakeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "HandshakeTimeout must be positive or infinite.");
        }

        _options = options;
        _serializerOptions = options.SerializerOptions ?? JsonSerializerOptions.Web;
        _logger = options.LoggerFactory?.CreateLogger<HubConnection>() ?? NullLogger<HubConnection>.Instance;
        _keepAliveMilliseconds = ToMilliseconds(options.KeepAliveInterval);
        _serverTimeoutMilliseconds = ToMilliseconds(options.ServerTimeout);
    }

    /// <summary>
    /// Raised once when a started connection ends. The argument is null for a clean stop (or a server <c>Close</c> without
    /// error); a <see cref="HubConnectionClosedException"/> whose message is the server's <c>Close</c> error verbatim
    /// (e.g. <c>slow_consumer</c>) or a <c>server_timeout</c>; otherwise the transport error. Handler exceptions are logged.
    /// </summary>
    public event Func<Exception?, Task>? Closed;

    /// <summary>Current state.</summary>
    public HubConnectionState State => (HubConnectionState)Volatile.Read(ref _state);

    /// <summary>The <c>connectionId</c> from negotiate (what the server calls <c>Context.ConnectionId</c>); null with <see cref="HubConnectionOptions.SkipNegotiation"/>.</summary>
    public string? ConnectionId { get; private set; }

    /// <summary>The <c>error</c> of the server's <c>Close</c> message, if one arrived with an error.</summary>
    public string? CloseError => Volatile.Read(ref _closeError);

    /// <summary>The <c>allowReconnect</c> flag of the server's <c>Close</c> message, if one arrived with it.</summary>
    public bool? AllowReconnect => _allowReconnect;

    /// <summary>
    /// Negotiates (<c>POST {url}/negotiate?negotiateVersion=1</c>, following one redirect), opens the WebSocket and
    /// completes the JSON protocol handshake. The whole start is bounded by <see cref="HubConnectionOptions.HandshakeTimeout"/>.
    /// </summary>
    /// <exception cref="HubConnectionException">Any failure to connect; <see cref="HubConnectionException.StatusCode"/> is set for HTTP refusals.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The connection was already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, (int)HubConnectionState.Connecting, (int)HubConnectionState.Disconnected)
            != (int)HubConnectionState.Disconnected)
        {
            throw new InvalidOperationException($"StartAsync needs a connection that was never started; this one is {State}.");
        }

        Log.Starting(_logger, _options.Url);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.HandshakeTimeout);
        ClientWebSocket? webSocket = null;
        var buffer = new RecordBuffer(_options.ReceiveBufferSize, _options.MaximumReceiveMessageSize);
        try
        {
            var (webSocketUri, connectionId) = await ResolveEndpointAsync(deadline.Token).ConfigureAwait(false);
            webSocket = await ConnectWebSocketAsync(webSocketUri, deadline.Token).ConfigureAwait(false);

            // "the client must send a HandshakeRequest message to the server as its first message"
            await webSocket.SendAsync(HubProtocolConstants.HandshakeRequestFrame, WebSocketMessageType.Text, true, deadline.Token)
                .ConfigureAwait(false);
            await ReadHandshakeResponseAsync(webSocket, buffer, deadline.Token).ConfigureAwait(false);

            if (_stopRequested)
            {
                throw new HubConnectionException("The connection was stopped while it was starting.");
            }

            ConnectionId = connectionId;
        }
        catch (Exception ex)
        {
            webSocket?.Dispose();
            buffer.Dispose();
            Volatile.Write(ref _state, (int)HubConnectionState.Disconnected);
            Log.StartFailed(_logger, _options.Url, ex);
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            if (ex is HubConnectionException)
            {
                throw;
            }

            if (ex is OperationCanceledException)
            {
                throw new HubConnectionException(
                    $"The connection to {_options.Url} did not complete negotiate, upgrade and handshake within {_options.HandshakeTimeout.TotalSeconds:0.###} s.", ex);
            }

            throw new HubConnectionException($"Could not connect to {_options.Url}: {ex.Message}", ex);
        }

        _webSocket = webSocket;
        _receiveBuffer = buffer;
        var now = Environment.TickCount64;
        Volatile.Write(ref _lastReceiveTicks, now);
        Volatile.Write(ref _lastSendTicks, now);
        Volatile.Write(ref _state, (int)HubConnectionState.Connected);
        Log.Connected(_logger, _options.Url, ConnectionId);

        // Task.Run: the loop must not capture the caller's synchronization context (test runners and UI apps have one).
        _ = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        Heartbeat.Register(this);
    }

    /// <summary>
    /// Sends <c>{"type":7}</c>, closes the WebSocket and waits until the server acknowledges (at most 5 s, or until
    /// <paramref name="cancellationToken"/> fires, then the socket is aborted) and <see cref="Closed"/> has been raised.
    /// Does nothing on a connection that never started. To abandon a start in progress, cancel its token.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopRequested = true;
        var state = State;
        if (state is HubConnectionState.Disconnected or HubConnectionState.Connecting)
        {
            return;
        }

        if (state == HubConnectionState.Connected && _webSocket is { } webSocket)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CloseTimeout);
            try
            {
                await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
                try
                {
                    // "Close ... Sent by the client when it's closing the connection"; then the WebSocket close handshake.
                    await webSocket.SendAsync(HubProtocolConstants.CloseFrame, WebSocketMessageType.Text, true, timeout.Token)
                        .ConfigureAwait(false);
                    await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }

                await _closedCompletion.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                Log.StopAborted(_logger, ex);
                webSocket.Abort();
            }
        }

        if (s_raisingClosed.Value == this)
        {
            return; // Called from our own Closed handler: the connection is already closed; waiting would wait for ourselves.
        }

        await _closedCompletion.Task.ConfigureAwait(false);
    }

    /// <summary>Stops the connection (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// The single way out of <see cref="HubConnectionState.Connected"/>, run once by the receive loop when it ends:
    /// fails pending invocations, closes the socket, then raises <see cref="Closed"/>.
    /// </summary>
    private async Task CloseAsync(Exception? reason)
    {
        try
        {
            Heartbeat.Unregister(this);
            Volatile.Write(ref _state, (int)HubConnectionState.Closed);
            FailPendingInvocations(reason);
            await CloseWebSocketAsync(_webSocket!).ConfigureAwait(false);
            _receiveBuffer!.Dispose();
            Log.Closed(_logger, ConnectionId, reason?.Message);
            await RaiseClosedAsync(reason).ConfigureAwait(false);
        }
        finally
        {
            _closedCompletion.TrySetResult();
        }
    }

    private async Task CloseWebSocketAsync(ClientWebSocket webSocket)
    {
        if (webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived
            && await _sendLock.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false))
        {
            // After the server's Close message the socket may still be open: finish the WebSocket close politely.
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException or IOException)
            {
                Log.StopAborted(_logger, ex);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        webSocket.Dispose();
    }

    private async Task RaiseClosedAsync(Exception? reason)
    {
        if (Closed is not { } handlers)
        {
            return;
        }

        s_raisingClosed.Value = this;
        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                await ((Func<Exception?, Task>)handler)(reason).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A subscriber's bug must not stop the other subscribers or the close.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ClosedHandlerFailed(_logger, ex);
            }
        }
    }

    private void ThrowIfNotConnected()
    {
        switch (State)
        {
            case HubConnectionState.Connected:
                return;
            case HubConnectionState.Closed:
                throw new HubConnectionClosedException(CloseError ?? "The connection is closed.");
            default:
                throw new InvalidOperationException($"The connection is {State}; call StartAsync first.");
        }
    }

    private static long ToMilliseconds(TimeSpan interval) =>
        interval <= TimeSpan.Zero || interval == Timeout.InfiniteTimeSpan ? 0 : (long)interval.TotalMilliseconds;
}
