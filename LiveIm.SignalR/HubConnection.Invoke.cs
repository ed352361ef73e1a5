using System.Net.WebSockets;
using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

// Caller → server: invocations, non-blocking sends and the single-writer send path.
public sealed partial class HubConnection
{
    private Dictionary<long, IPendingInvocation>? _pending;
    private bool _pendingClosed;
    private long _nextInvocationId;

    /// <summary>
    /// Invokes <paramref name="method"/> on the server and waits for its <c>Completion</c>; the result is deserialized to
    /// <typeparamref name="TResult"/> (default when the method returned nothing).
    /// </summary>
    /// <exception cref="HubException">The server reported an error; the message is the server's text verbatim.</exception>
    /// <exception cref="HubConnectionClosedException">The connection closed before the completion arrived.</exception>
    /// <exception cref="OperationCanceledException">The token fired; the completion, if it still comes, is ignored.</exception>
    public async Task<TResult> InvokeAsync<TResult>(string method, object?[] args, CancellationToken cancellationToken = default)
    {
        var pending = new PendingInvocation<TResult>();
        await SendInvocationAsync(pending, method, args, cancellationToken).ConfigureAwait(false);
        if (!cancellationToken.CanBeCanceled)
        {
            return await pending.Task.ConfigureAwait(false);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((HubConnection.CancelState)state!).Cancel(token), new CancelState(this, pending)))
        {
            return await pending.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Invokes <paramref name="method"/> on the server and waits for its <c>Completion</c>, ignoring any result.</summary>
    /// <exception cref="HubException">The server reported an error; the message is the server's text verbatim.</exception>
    /// <exception cref="HubConnectionClosedException">The connection closed before the completion arrived.</exception>
    public async Task InvokeAsync(string method, object?[] args, CancellationToken cancellationToken = default)
    {
        var pending = new VoidPendingInvocation();
        await SendInvocationAsync(pending, method, args, cancellationToken).ConfigureAwait(false);
        if (!cancellationToken.CanBeCanceled)
        {
            await pending.Task.ConfigureAwait(false);
            return;
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((HubConnection.CancelState)state!).Cancel(token), new CancelState(this, pending)))
        {
            await pending.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// "Non-Blocking Invocation": sends <paramref name="method"/> without an <c>invocationId</c>; the server sends no
    /// response, so this completes once the frame is written and server-side errors are not seen.
    /// </summary>
    public async Task SendAsync(string method, object?[] args, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(args);
        ThrowIfNotConnected();
        using var frame = HubMessageWriter.WriteInvocation(-1, method, args, _serializerOptions);
        await SendFrameAsync(frame.Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="frame"/> as one WebSocket text message, unchanged: no separator is added and nothing is
    /// validated. For hostile-input tests.
    /// </summary>
    public ValueTask SendRawAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        ThrowIfNotConnected();
        return SendFrameAsync(frame, cancellationToken);
    }

    private async Task SendInvocationAsync(IPendingInvocation pending, string method, object?[] args, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(args);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfNotConnected();

        // "Allocate a unique (per connection) Invocation ID": increasing integers, so the completion is found by number.
        var id = Interlocked.Increment(ref _nextInvocationId);
        pending.Id = id;
        lock (_gate)
        {
            if (_pendingClosed)
            {
                throw new HubConnectionClosedException(CloseError ?? "The connection is closed.");
            }

            (_pending ??= new Dictionary<long, IPendingInvocation>()).Add(id, pending);
        }

        try
        {
            using var frame = HubMessageWriter.WriteInvocation(id, method, args, _serializerOptions);
            await SendFrameAsync(frame.Memory, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            RemovePending(id);
            throw;
        }
    }

    /// <summary>
    /// The one write path. The caller's token only bounds the wait for the send lock: cancelling a WebSocket send
    /// midway would abort the socket for every other caller.
    /// </summary>
    private async ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        var webSocket = _webSocket!;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _lastSendTicks, Environment.TickCount64);
            await webSocket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException)
        {
            throw new HubConnectionClosedException(CloseError ?? "The connection closed while sending.", ex);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private IPendingInvocation? RemovePending(long id)
    {
        lock (_gate)
        {
            return _pending is not null && _pending.Remove(id, out var pending) ? pending : null;
        }
    }

    /// <summary>"Invocations pending when the connection closes fail": each gets its own exception (they are rethrown concurrently).</summary>
    private void FailPendingInvocations(Exception? reason)
    {
        Dictionary<long, IPendingInvocation>? pending;
        lock (_gate)
        {
            pending = _pending;
            _pending = null;
            _pendingClosed = true;
        }

        if (pending is null)
        {
            return;
        }

        foreach (var invocation in pending.Values)
        {
            invocation.Fail(reason switch
            {
                HubConnectionClosedException closed => new HubConnectionClosedException(closed.Message, closed.InnerException),
                null => new HubConnectionClosedException("The connection was closed before the invocation completed."),
                _ => new HubConnectionClosedException($"The connection was closed before the invocation completed: {reason.Message}", reason),
            });
        }
    }

    /// <summary>State for a cancellation callback: which invocation to forget.</summary>
    private sealed class CancelState(HubConnection connection, IPendingInvocation pending)
    {
        public void Cancel(CancellationToken token)
        {
            // Forgetting the id makes a late completion an unknown one, which is ignored.
            connection.RemovePending(pending.Id);
            pending.Cancel(token);
        }
    }
}
