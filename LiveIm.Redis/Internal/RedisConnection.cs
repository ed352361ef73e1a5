using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using LiveIm.Redis.Protocol;

namespace LiveIm.Redis.Internal;

/// <summary>
/// One socket's life: the reader loop that matches replies to <see cref="PendingReplies"/>, the
/// <see cref="CommandWriter"/> loop, and a single way to die (<see cref="Abort"/>) that fails every
/// command it holds. It never reconnects; <see cref="RedisClient"/> replaces a dead connection.
/// </summary>
internal sealed class RedisConnection
{
    // Read buffer per receive: 64 KiB lets one read take a whole pipelined batch of small replies.
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly PendingReplies _pending = new();
    private readonly CommandWriter _writer;
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _endPoint;
    private int _aborted;
    private Task _readerLoop = Task.CompletedTask;
    private Task _writerLoop = Task.CompletedTask;

    private RedisConnection(Socket socket, string endPoint)
    {
        _socket = socket;
        _endPoint = endPoint;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, leaveOpen: true));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(leaveOpen: true));
        _writer = new CommandWriter(_output, _pending);
    }

    /// <summary>Completes with the reason once the connection is dead (socket error, EOF, protocol error, abort).</summary>
    public Task<Exception> Closed => _closed.Task;

    /// <summary>True once <see cref="Abort"/> ran.</summary>
    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Socket writes so far (see <see cref="CommandWriter.FlushCount"/>).</summary>
    public long FlushCount => _writer.FlushCount;

    /// <summary>Commands written and not yet answered.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Opens the TCP connection and starts the reader and writer loops.</summary>
    public static async Task<RedisConnection> OpenAsync(EndPoint endPoint, string displayName, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            // We batch ourselves; Nagle would hold the last partial batch back for an ACK.
            NoDelay = true,
        };
        try
        {
            EnableKeepAlive(socket);
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new RedisConnection(socket, displayName);
        connection.Start();
        return connection;
    }

    /// <summary>Queues a command; false if the connection is dead (the caller fails fast).</summary>
    public bool TryEnqueue(PendingCommand command) => !IsAborted && _writer.TryEnqueue(command);

    /// <summary>
    /// Kills the connection once: closes the socket and fails every queued and in-flight command with
    /// <see cref="RedisConnectionException"/> carrying <paramref name="reason"/>.
    /// </summary>
    public void Abort(Exception reason)
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        Exception Lost(PendingCommand command) => new RedisConnectionException(
            $"Connection to {_endPoint} lost before {command.Command} was answered: {reason.Message}", reason);

        _pending.FailAll(reason, Lost);
        _writer.Complete(Lost);

        // Disposing the socket wakes the reader (and a writer blocked in a flush) with an error they ignore.
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }

        _stream.Dispose();
        _closed.TrySetResult(reason);
    }

    /// <summary>Waits for both loops to finish after <see cref="Abort"/>.</summary>
    public async Task WaitForLoopsAsync()
    {
        await Task.WhenAll(_readerLoop, _writerLoop).ConfigureAwait(false);
    }

    /// <summary>
    /// A server host that vanishes without a FIN or RST (power loss, a dropped NAT entry) leaves a
    /// half-open socket that reads nothing forever: commands would only time out one by one and the
    /// client would never reconnect. Keepalive probes an idle socket after 15 s, every 5 s, 3 times
    /// (dead within ~30 s); TCP_USER_TIMEOUT bounds how long written data may stay unacknowledged (30 s)
    /// instead of Linux's ~15 minutes of retransmissions.
    /// </summary>
    private static void EnableKeepAlive(Socket socket)
    {
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 15);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, 3);
            if (OperatingSystem.IsLinux())
            {
                const int IpProtoTcp = 6;
                const int TcpUserTimeout = 18;
                socket.SetRawSocketOption(IpProtoTcp, TcpUserTimeout, BitConverter.GetBytes(30_000));
            }
        }
        catch (SocketException)
        {
            // Best effort: a platform without these options still works, it just detects dead peers later.
        }
        catch (PlatformNotSupportedException)
        {
            // Same.
        }
    }

    private void Start()
    {
        _writerLoop = Task.Run(RunWriterAsync);
        _readerLoop = Task.Run(RunReaderAsync);
    }

    private async Task RunWriterAsync()
    {
        try
        {
            await _writer.RunAsync(command => new RedisConnectionException(
                $"Connection to {_endPoint} closed before {command.Command} was sent.")).ConfigureAwait(false);
            Abort(new IOException($"The connection to {_endPoint} can no longer be written."));
        }
        catch (Exception ex)
        {
            // A flush into a dead socket, or our own Abort disposing the stream.
            Abort(ex);
        }
        finally
        {
            await CompleteQuietlyAsync(_output.CompleteAsync()).ConfigureAwait(false);
        }
    }

    private async Task RunReaderAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var leftover = false;
                try
                {
                    while (RespParser.TryRead(ref buffer, out var reply))
                    {
                        var command = _pending.TryTake()
                            ?? throw new RedisProtocolException($"Received a reply nobody asked for: {reply}.");
                        command.Complete(reply);
                    }

                    leftover = !buffer.IsEmpty;
                }
                finally
                {
                    // Consumed up to the last whole reply; examined everything, so the next read waits for new bytes.
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    Abort(leftover
                        ? new RedisProtocolException($"{_endPoint} closed the connection in the middle of a reply.")
                        : new IOException($"{_endPoint} closed the connection."));
                    return;
                }
            }
        }
        catch (Exception ex)
        {
            // Protocol errors, socket errors, and our own Abort disposing the stream all end here.
            Abort(ex);
        }
        finally
        {
            await CompleteQuietlyAsync(_input.CompleteAsync()).ConfigureAwait(false);
        }
    }

    private static async Task CompleteQuietlyAsync(ValueTask completion)
    {
        try
        {
            await completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The stream is gone; there is nothing left to flush or return.
        }
    }
}
