using System.Diagnostics;
using System.Net.Sockets;

namespace LiveIm.Nats.Internal;

/// <summary>
/// One TCP connection to one server: its socket, its writer, its outstanding PINGs and why it ended.
/// A <see cref="NatsConnection"/> lives through many of these; each is used once and thrown away.
/// </summary>
internal sealed class ServerConnection
{
    private readonly Lock _pingGate = new();
    private readonly Queue<PendingPing> _pings = new();
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ServerInfo> _firstInfo = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private int _pingsOut;

    public ServerConnection(ServerAddress address, Socket socket)
    {
        Address = address;
        Stream = new NetworkStream(socket, ownsSocket: true);
        Writer = new CommandWriter(Stream, Abort);
    }

    public ServerAddress Address { get; }

    public NetworkStream Stream { get; }

    public CommandWriter Writer { get; }

    /// <summary>The latest INFO (servers may send updates, e.g. new cluster members).</summary>
    public ServerInfo? Info { get; private set; }

    /// <summary>Set once CONNECT was answered by PONG: from then on, -ERR no longer fails the handshake.</summary>
    public bool HandshakeComplete { get; set; }

    /// <summary>The last -ERR the server sent; the most useful reason when it then closes the socket.</summary>
    public NatsServerErrorException? LastServerError { get; private set; }

    /// <summary>Completes with the reason once the connection is gone. Never faults.</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>Cancelled when the connection is gone (stops its read and ping loops).</summary>
    public CancellationToken Closing => _closing.Token;

    /// <summary>The first INFO (the server sends it right after accepting); faults if the socket closes first.</summary>
    public Task<ServerInfo> FirstInfo => _firstInfo.Task;

    public void OnInfo(ServerInfo info)
    {
        Info = info;
        _firstInfo.TrySetResult(info);
    }

    /// <summary>Records a -ERR. During the handshake it fails the pending PING, so the connect attempt fails with it.</summary>
    public void OnServerError(NatsServerErrorException error)
    {
        LastServerError = error;
        if (!HandshakeComplete)
        {
            FailPings(error);
        }
    }

    /// <summary>Sends PING; the task completes with the round trip when its PONG arrives.</summary>
    public Task<TimeSpan> PingAsync()
    {
        var pending = new PendingPing(Stopwatch.GetTimestamp(), new(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_pingGate)
        {
            // Write and enqueue under one lock so that the queue order is the wire order: PONGs carry no id,
            // the n-th PONG answers the n-th PING.
            if (!Writer.TryWriteRaw(ProtocolStrings.PingLine))
            {
                return Task.FromException<TimeSpan>(new NatsNotConnectedException("The connection to the server was lost."));
            }

            _pings.Enqueue(pending);
        }

        return pending.Completion!.Task;
    }

    /// <summary>
    /// The keep-alive PING. Returns false, sending nothing, when <paramref name="maxPingsOut"/> keep-alives are
    /// already unanswered: the connection is stale.
    /// </summary>
    public bool TrySendKeepAlive(int maxPingsOut)
    {
        lock (_pingGate)
        {
            if (_pingsOut >= maxPingsOut)
            {
                return false;
            }

            if (Writer.TryWriteRaw(ProtocolStrings.PingLine))
            {
                _pingsOut++;
                _pings.Enqueue(new PendingPing(Stopwatch.GetTimestamp(), null));
            }

            return true;
        }
    }

    /// <summary>Outstanding keep-alive PINGs.</summary>
    public int PingsOut
    {
        get
        {
            lock (_pingGate)
            {
                return _pingsOut;
            }
        }
    }

    public void OnPong()
    {
        PendingPing pending;
        lock (_pingGate)
        {
            // Any PONG proves the server is alive and reading, so the stale counter restarts.
            _pingsOut = 0;
            if (!_pings.TryDequeue(out pending))
            {
                return;
            }
        }

        pending.Completion?.TrySetResult(Stopwatch.GetElapsedTime(pending.Started));
    }

    /// <summary>Ends the connection now with <paramref name="reason"/> (first reason wins).</summary>
    public void Abort(Exception reason)
    {
        if (!_closed.TrySetResult(reason))
        {
            return;
        }

        _closing.Cancel();
        Writer.Complete();
        Stream.Dispose();
        _firstInfo.TrySetException(reason);
        FailPings(reason is NatsException ? reason : new NatsNotConnectedException("The connection to the server was lost.", reason));
    }

    /// <summary>Lets queued commands reach the socket (up to <paramref name="timeout"/>), then closes it.</summary>
    public async Task CloseAsync(Exception reason, TimeSpan timeout)
    {
        Writer.Complete();
        try
        {
            await Writer.Loop.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The socket is not draining; closing it is all that is left.
        }

        Abort(reason);
    }

    private void FailPings(Exception error)
    {
        List<PendingPing> failed;
        lock (_pingGate)
        {
            failed = [.. _pings];
            _pings.Clear();
        }

        foreach (var pending in failed)
        {
            pending.Completion?.TrySetException(error);
        }
    }

    private readonly record struct PendingPing(long Started, TaskCompletionSource<TimeSpan>? Completion);
}
