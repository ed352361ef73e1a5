using System.IO.Pipelines;
using System.Threading.Channels;
using LiveIm.Redis.Protocol;

namespace LiveIm.Redis.Internal;

/// <summary>
/// The batching writer: callers drop commands into a queue and return; one loop takes everything
/// queued, serializes it into the pipe and flushes once. Under load one flush (one send syscall)
/// carries hundreds of commands, which is what pipelining buys.
/// </summary>
internal sealed class CommandWriter
{
    // Flush at least every 64 KiB even while more commands are queued: a small INCR is ~30 bytes,
    // so one flush still carries ~2,000 of them, while the pipe never buffers megabytes the socket
    // cannot take yet (the Linux loopback send buffer is a few hundred KiB).
    private const long FlushThresholdBytes = 64 * 1024;

    private readonly Channel<PendingCommand> _queue = Channel.CreateUnbounded<PendingCommand>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });

    private readonly PipeWriter _output;
    private readonly PendingReplies _pending;
    private long _flushes;

    public CommandWriter(PipeWriter output, PendingReplies pending)
    {
        _output = output;
        _pending = pending;
    }

    /// <summary>Flushes so far: each is one write to the socket, however many commands it carries.</summary>
    public long FlushCount => Interlocked.Read(ref _flushes);

    /// <summary>Queues a command; false once the writer is completed (the connection is gone).</summary>
    public bool TryEnqueue(PendingCommand command) => _queue.Writer.TryWrite(command);

    /// <summary>Stops accepting commands and fails the ones never written.</summary>
    public void Complete(Func<PendingCommand, Exception> error)
    {
        _queue.Writer.TryComplete();

        // Drained after TryComplete: a TryEnqueue that won the race is still in the channel and is failed here.
        while (_queue.Reader.TryRead(out var command))
        {
            command.TrySetException(error(command));
        }
    }

    /// <summary>Runs until the queue is completed or the pipe fails; the exception (if any) is the reason the connection died.</summary>
    public async Task RunAsync(Func<PendingCommand, Exception> refused)
    {
        var reader = _queue.Reader;
        var batch = new List<PendingCommand>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var command))
            {
                batch.Add(command);
            }

            // Registered before the bytes leave, so a fast reply always finds its command at the head.
            if (!_pending.TryAdd(batch))
            {
                foreach (var command in batch)
                {
                    command.TrySetException(refused(command));
                }

                return;
            }

            long unflushed = 0;
            foreach (var command in batch)
            {
                unflushed += RespWriter.WriteCommand(_output, command.Command, command.Args);
                if (unflushed >= FlushThresholdBytes)
                {
                    if (!await FlushAsync().ConfigureAwait(false))
                    {
                        return;
                    }

                    unflushed = 0;
                }
            }

            batch.Clear();
            if (unflushed > 0 && !await FlushAsync().ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private async ValueTask<bool> FlushAsync()
    {
        Interlocked.Increment(ref _flushes);

        // Synchronous fast path: on a healthy socket the flush usually completes inline.
        var flush = _output.FlushAsync();
        var result = flush.IsCompletedSuccessfully ? flush.Result : await flush.ConfigureAwait(false);
        return !result.IsCompleted && !result.IsCanceled;
    }
}
