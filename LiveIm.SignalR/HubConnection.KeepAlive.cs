using System.Net.WebSockets;
using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

// Keep-alive pings and server-timeout detection, driven by the shared Heartbeat timer.
public sealed partial class HubConnection
{
    private readonly long _keepAliveMilliseconds;
    private readonly long _serverTimeoutMilliseconds;
    private long _lastReceiveTicks; // Environment.TickCount64 of the last bytes from the server
    private long _lastSendTicks;    // ... of the last frame we started to send

    /// <summary>Called by <see cref="Heartbeat"/> on a thread-pool thread; must not block.</summary>
    internal void OnHeartbeat(long now)
    {
        if (State != HubConnectionState.Connected)
        {
            return;
        }

        // "If the client detects that the server has stopped pinging, the client will close the connection."
        if (_serverTimeoutMilliseconds > 0 && now - Volatile.Read(ref _lastReceiveTicks) > _serverTimeoutMilliseconds)
        {
            OnServerTimeout();
            return;
        }

        // "A Ping is only sent if the interval has elapsed without a message being sent."
        if (_keepAliveMilliseconds > 0 && now - Volatile.Read(ref _lastSendTicks) >= _keepAliveMilliseconds)
        {
            _ = SendPingAsync();
        }
    }

    private void OnServerTimeout()
    {
        var seconds = _serverTimeoutMilliseconds / 1000.0;
        Interlocked.CompareExchange(
            ref _abortReason,
            new HubConnectionClosedException($"server_timeout: no message from the server for {seconds:0.###} s."),
            null);
        Log.ServerTimeout(_logger, seconds);

        // Aborting fails the pending receive; the receive loop then closes with _abortReason.
        _webSocket?.Abort();
    }

    private async Task SendPingAsync()
    {
        // Never wait: if the lock is taken, a frame is being sent right now and that is keep-alive enough.
        if (!_sendLock.Wait(0))
        {
            return;
        }

        try
        {
            Volatile.Write(ref _lastSendTicks, Environment.TickCount64);
            await _webSocket!.SendAsync(HubProtocolConstants.PingFrame, WebSocketMessageType.Text, true, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            // The receive loop notices a dead socket on its own; a failed ping needs no action here.
            Log.PingFailed(_logger, ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }
}
