using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace LiveIm.Nats.Internal;

/// <summary>
/// Serializes client commands into a <see cref="Pipe"/> and sends them with one loop. Producers only copy bytes
/// into the pipe (synchronous, under a short lock); the loop sends whatever accumulated while the previous send
/// was in flight, so a burst of publishes becomes a few large socket writes.
/// Every <c>TryWrite…</c> returns false instead of throwing once the writer is closed (the socket is gone); the
/// caller decides what that means.
/// </summary>
internal sealed class CommandWriter
{
    /// <summary>
    /// Bytes copied into one socket write when the pipe holds several segments: 64 KiB is about 44 full TCP
    /// segments at a 1460-byte MSS, enough to amortize the syscall; larger buys nothing on loopback or LAN.
    /// </summary>
    private const int SendChunkSize = 64 * 1024;

    /// <summary>
    /// Unsent bytes above which publishers wait for the socket (backpressure instead of unbounded memory):
    /// 8 MiB is eight default max-size payloads, or about 65 ms of a 1 Gbit/s link.
    /// </summary>
    private const long HighWaterMark = 8 * 1024 * 1024;

    // Room for "HPUB " + two numbers (max 10 digits each) + three separators + CRLF, next to the subjects.
    private const int ControlLineOverhead = 5 + 10 + 10 + 3 + 2;

    private readonly Pipe _pipe = new(new PipeOptions(
        // 0 disables the pipe's own pause: FlushAsync then always completes synchronously, and the
        // backpressure is ours (HighWaterMark), so writers never hold the lock across an await.
        pauseWriterThreshold: 0,
        resumeWriterThreshold: 0,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false));

    private readonly Lock _gate = new();
    private readonly Stream _stream;
    private readonly Action<Exception> _onFault;
    private long _unsent;
    private bool _completed;
    private TaskCompletionSource? _drained;

    public CommandWriter(Stream stream, Action<Exception> onFault)
    {
        _stream = stream;
        _onFault = onFault;
        Loop = Task.Run(SendLoopAsync);
    }

    /// <summary>Completes when the send loop ends (writer completed or socket failed).</summary>
    public Task Loop { get; }

    /// <summary>Socket writes so far (for tests proving that bursts are batched).</summary>
    public long SocketWrites { get; private set; }

    /// <summary>Completes at once unless too many bytes wait for the socket; then when they drained.</summary>
    public ValueTask WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        return Volatile.Read(ref _unsent) < HighWaterMark ? default : WaitForDrainAsync(cancellationToken);
    }

    /// <summary>PUB or HPUB. <paramref name="headerLength"/> is <see cref="NatsHeaders.GetWireLength"/>, computed by the caller once.</summary>
    public bool TryWritePublish(string subject, string? replyTo, NatsHeaders? headers, int headerLength, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            var writer = _pipe.Writer;
            var span = writer.GetSpan(ControlLineOverhead + MaxBytes(subject) + MaxBytes(replyTo));
            var at = 0;

            // PUB <subject> [reply-to] <#bytes>␍␊[payload]␍␊
            // HPUB <subject> [reply-to] <#header bytes> <#total bytes>␍␊[headers]␍␊␍␊[payload]␍␊
            at += Copy(headers is null ? ProtocolStrings.Pub : ProtocolStrings.HPub, span);
            at += Encoding.UTF8.GetBytes(subject, span[at..]);
            span[at++] = (byte)' ';
            if (replyTo is not null)
            {
                at += Encoding.UTF8.GetBytes(replyTo, span[at..]);
                span[at++] = (byte)' ';
            }

            if (headers is not null)
            {
                at += WriteNumber(headerLength, span[at..]);
                span[at++] = (byte)' ';
            }

            at += WriteNumber(headerLength + payload.Length, span[at..]);
            at += Copy(ProtocolStrings.Crlf, span[at..]);
            writer.Advance(at);
            var total = at;

            if (headers is not null)
            {
                var headerSpan = writer.GetSpan(headerLength);
                headers.WriteTo(headerSpan);
                writer.Advance(headerLength);
                total += headerLength;
            }

            writer.Write(payload);
            writer.Write(ProtocolStrings.Crlf);
            total += payload.Length + 2;
            return Commit(total);
        }
    }

    /// <summary>SUB &lt;subject&gt; [queue group] &lt;sid&gt;␍␊</summary>
    public bool TryWriteSubscribe(string subject, string? queueGroup, long sid)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            var span = _pipe.Writer.GetSpan(ControlLineOverhead + 10 + MaxBytes(subject) + MaxBytes(queueGroup));
            var at = Copy(ProtocolStrings.Sub, span);
            at += Encoding.UTF8.GetBytes(subject, span[at..]);
            span[at++] = (byte)' ';
            if (queueGroup is not null)
            {
                at += Encoding.UTF8.GetBytes(queueGroup, span[at..]);
                span[at++] = (byte)' ';
            }

            at += WriteNumber(sid, span[at..]);
            at += Copy(ProtocolStrings.Crlf, span[at..]);
            _pipe.Writer.Advance(at);
            return Commit(at);
        }
    }

    /// <summary>UNSUB &lt;sid&gt; [max_msgs]␍␊</summary>
    public bool TryWriteUnsubscribe(long sid, long? maxMessages)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            var span = _pipe.Writer.GetSpan(ControlLineOverhead + 20);
            var at = Copy(ProtocolStrings.Unsub, span);
            at += WriteNumber(sid, span[at..]);
            if (maxMessages is { } max)
            {
                span[at++] = (byte)' ';
                at += WriteNumber(max, span[at..]);
            }

            at += Copy(ProtocolStrings.Crlf, span[at..]);
            _pipe.Writer.Advance(at);
            return Commit(at);
        }
    }

    /// <summary>A complete, already serialized command (CONNECT, PING, PONG).</summary>
    public bool TryWriteRaw(ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            _pipe.Writer.Write(command);
            return Commit(command.Length);
        }
    }

    /// <summary>Stops accepting commands; the loop sends what is queued, then ends.</summary>
    public void Complete()
    {
        TaskCompletionSource? drained;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _pipe.Writer.Complete();
            drained = _drained;
            _drained = null;
        }

        // Waiting publishers re-check the state and see NotConnected.
        drained?.TrySetResult();
    }

    private bool Commit(int bytes)
    {
        Interlocked.Add(ref _unsent, bytes);

        // Makes the bytes visible to the send loop. It completes synchronously (the pipe never pauses, see
        // PipeOptions above); the result only says whether the loop has ended, which the next write learns anyway.
        var flush = _pipe.Writer.FlushAsync(CancellationToken.None);
        if (flush.IsCompleted)
        {
            flush.GetAwaiter().GetResult();
        }
        else
        {
            _ = flush.AsTask();
        }

        return true;
    }

    private async ValueTask WaitForDrainAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                if (_completed || Volatile.Read(ref _unsent) < HighWaterMark)
                {
                    return;
                }

                _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _drained.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendLoopAsync()
    {
        var reader = _pipe.Reader;
        var chunk = ArrayPool<byte>.Shared.Rent(SendChunkSize);
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var length = buffer.Length;
                if (buffer.IsSingleSegment)
                {
                    await _stream.WriteAsync(buffer.First).ConfigureAwait(false);
                    SocketWrites++;
                }
                else
                {
                    // Gather small segments into one write rather than one syscall per segment.
                    var remaining = buffer;
                    while (!remaining.IsEmpty)
                    {
                        var take = (int)Math.Min(remaining.Length, chunk.Length);
                        remaining.Slice(0, take).CopyTo(chunk);
                        await _stream.WriteAsync(chunk.AsMemory(0, take)).ConfigureAwait(false);
                        SocketWrites++;
                        remaining = remaining.Slice(take);
                    }
                }

                reader.AdvanceTo(buffer.End);
                Released(length);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await reader.CompleteAsync(ex).ConfigureAwait(false);
            Complete();
            _onFault(ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private void Released(long bytes)
    {
        var unsent = Interlocked.Add(ref _unsent, -bytes);

        // Always look under the lock (once per batch, cheap): a waiter checks _unsent and installs _drained under
        // it, so a lock-free peek here could miss a waiter that installed itself just after our decrement.
        if (unsent < HighWaterMark)
        {
            TaskCompletionSource? drained;
            lock (_gate)
            {
                drained = _drained;
                _drained = null;
            }

            drained?.TrySetResult();
        }
    }

    private static int MaxBytes(string? text) => text is null ? 0 : Encoding.UTF8.GetMaxByteCount(text.Length) + 1;

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    private static int WriteNumber(long value, Span<byte> destination)
    {
        value.TryFormat(destination, out var written, provider: CultureInfo.InvariantCulture);
        return written;
    }
}
