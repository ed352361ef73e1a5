using System.Net.WebSockets;
using System.Text.Json;
using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

// Server → caller: the receive loop, message dispatch and On(...) handlers.
public sealed partial class HubConnection
{
    private HandlerRegistration[] _handlers = [];

    /// <summary>
    /// Subscribes to server-to-client invocations of <paramref name="method"/> (case-sensitive). Handlers run in order
    /// on the receive loop, so they must not block: hand long work to another task. An exception in a handler is
    /// logged and does not affect the connection.
    /// </summary>
    /// <remarks>
    /// The <see cref="JsonElement"/>s point into the receive buffer and are valid only during the call; use
    /// <see cref="JsonElement.Clone"/> (or deserialize) to keep one. This is what makes a broadcast to thousands of
    /// connections cost no copy per connection.
    /// </remarks>
    /// <returns>A subscription; dispose it to unsubscribe.</returns>
    public IDisposable On(string method, Action<JsonElement[]> handler)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        var registration = new HandlerRegistration(this, method, handler);
        lock (_gate)
        {
            // Copy on write: the receive loop reads the array without a lock, registrations are rare.
            _handlers = [.. _handlers, registration];
        }

        return registration;
    }

    /// <summary>
    /// Subscribes to <paramref name="method"/> and deserializes its first argument to <typeparamref name="T1"/>
    /// (default when absent). Same threading rules as <see cref="On(string, Action{JsonElement[]})"/>.
    /// </summary>
    public IDisposable On<T1>(string method, Action<T1> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var options = _serializerOptions;
        return On(method, args => handler(args.Length > 0 ? args[0].Deserialize<T1>(options)! : default!));
    }

    internal void RemoveHandler(HandlerRegistration registration)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_handlers, registration);
            if (index >= 0)
            {
                _handlers = [.. _handlers.AsSpan(0, index), .. _handlers.AsSpan(index + 1)];
            }
        }
    }

    /// <summary>True while the receive loop holds a pooled buffer (an idle connection should not).</summary>
    internal bool HoldsReceiveBuffer => _receiveBuffer?.HoldsArray ?? false;

    private async Task ReceiveLoopAsync()
    {
        var webSocket = _webSocket!;
        var buffer = _receiveBuffer!;
        Exception? reason;
        try
        {
            reason = await ReceiveUntilClosedAsync(webSocket, buffer).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever ends the loop becomes the Closed reason; nothing may escape a fire-and-forget task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.ReceiveFailed(_logger, ex);
            reason = _stopRequested ? null : _abortReason ?? ex;
        }

        await CloseAsync(reason).ConfigureAwait(false);
    }

    /// <summary>Reads and dispatches until the server's Close message or the WebSocket closes; returns the Closed reason.</summary>
    private async Task<Exception?> ReceiveUntilClosedAsync(ClientWebSocket webSocket, RecordBuffer buffer)
    {
        while (true)
        {
            // Records already buffered first: the handshake read may have pulled some in with the response.
            while (buffer.TryReadRecord(out var record))
            {
                if (!Dispatch(record))
                {
                    // "Close ... Sent by the server when a connection is closed. Contains an error if the connection
                    // was closed because of an error."
                    return _closeError is { } error ? new HubConnectionClosedException(error) : null;
                }
            }

            if (buffer.IsEmpty)
            {
                // Wait for data with a zero-byte read and no buffer: idle connections, the vast majority in a load test,
                // then hold no receive memory. The buffer is rented again when bytes are ready. Should a zero-byte read
                // ever return without data, the read below simply waits with the buffer: no spin either way.
                buffer.ReleaseIfEmpty();
                var ready = await webSocket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                if (ready.MessageType == WebSocketMessageType.Close)
                {
                    return OnWebSocketClosed(webSocket);
                }
            }

            var result = await webSocket.ReceiveAsync(buffer.GetMemory(), CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _lastReceiveTicks, Environment.TickCount64);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return OnWebSocketClosed(webSocket);
            }

            buffer.Advance(result.Count);
        }
    }

    private Exception? OnWebSocketClosed(WebSocket webSocket)
    {
        if (_stopRequested || webSocket.CloseStatus == WebSocketCloseStatus.NormalClosure)
        {
            return null;
        }

        return _abortReason ?? new HubConnectionClosedException(
            $"The server closed the WebSocket without a Close message ({webSocket.CloseStatus} {webSocket.CloseStatusDescription}).");
    }

    /// <summary>Acts on one record. Returns false for the server's Close message, which ends the connection.</summary>
    private bool Dispatch(ReadOnlyMemory<byte> record)
    {
        var message = HubMessageParser.Parse(record.Span);
        switch (message.Type)
        {
            case HubProtocolConstants.InvocationType:
                DispatchInvocation(in message, record);
                return true;

            case HubProtocolConstants.CompletionType:
                if (message.InvocationNumber >= 0 && RemovePending(message.InvocationNumber) is { } pending)
                {
                    pending.Complete(in message, record.Span, _serializerOptions);
                }
                else
                {
                    // Cancelled by the caller, or not ours: "The Caller is free to ignore the Completion message".
                    Log.UnknownCompletion(_logger, message.InvocationNumber);
                }

                return true;

            case HubProtocolConstants.PingType:
                // "The receiving endpoint may choose to ignore the message"; receiving it already reset the server timeout.
                return true;

            case HubProtocolConstants.CloseType:
                Volatile.Write(ref _closeError, message.Error);
                _allowReconnect = message.AllowReconnect;
                Log.CloseReceived(_logger, message.Error, message.AllowReconnect);
                return false;

            case HubProtocolConstants.StreamItemType:
            case HubProtocolConstants.StreamInvocationType:
            case HubProtocolConstants.CancelInvocationType:
                // No streaming and no client results here: nothing of ours can be the subject of these.
                Log.MessageIgnored(_logger, message.Type);
                return true;

            default:
                // Ack (8), Sequence (9) belong to stateful reconnect, which this client does not negotiate; anything
                // newer is ignored for forward compatibility.
                Log.MessageIgnored(_logger, message.Type);
                return true;
        }
    }

    private void DispatchInvocation(in HubMessage message, ReadOnlyMemory<byte> record)
    {
        var target = record.Span[message.Target];
        var handlers = Volatile.Read(ref _handlers);
        JsonDocument? document = null;
        JsonElement[]? args = null;
        try
        {
            foreach (var registration in handlers)
            {
                if (!registration.Matches(target, message.EscapedTarget))
                {
                    continue;
                }

                args ??= ParseArguments(in message, record, out document);
                try
                {
                    registration.Handler(args);
                }
#pragma warning disable CA1031 // "On(...) handler exceptions are logged, not fatal."
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.HandlerFailed(_logger, registration.Method, ex);
                }
            }
        }
        finally
        {
            document?.Dispose();
        }

        if (args is null && _logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
        {
            Log.NoHandler(_logger, message.EscapedTarget ?? System.Text.Encoding.UTF8.GetString(target));
        }

        if (message.HasInvocationId)
        {
            // The server awaits a result (client results); we have none to give, so fail it instead of leaving it hanging.
            var frame = HubMessageWriter.WriteCompletionError(record.Span[message.InvocationId], HubProtocolConstants.ClientResultsNotSupported);
            _ = SendCompletionAsync(frame);
        }
    }

    private static JsonElement[] ParseArguments(in HubMessage message, ReadOnlyMemory<byte> record, out JsonDocument? document)
    {
        document = null;
        if (!message.HasArguments)
        {
            return [];
        }

        // Parse over the record bytes in place (no copy); disposed after the handlers return.
        document = JsonDocument.Parse(record[message.Arguments]);
        var root = document.RootElement;
        var length = root.GetArrayLength();
        if (length == 0)
        {
            return [];
        }

        var args = new JsonElement[length];
        var i = 0;
        foreach (var element in root.EnumerateArray())
        {
            args[i++] = element;
        }

        return args;
    }

    private async Task SendCompletionAsync(RentedFrame frame)
    {
        try
        {
            await SendFrameAsync(frame.Memory, CancellationToken.None).ConfigureAwait(false);
        }
        catch (HubConnectionClosedException ex)
        {
            Log.ReceiveFailed(_logger, ex);
        }
        finally
        {
            frame.Dispose();
        }
    }
}
