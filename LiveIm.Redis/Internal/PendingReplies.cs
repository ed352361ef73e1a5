namespace LiveIm.Redis.Internal;

/// <summary>
/// Commands written to the socket and not yet answered, oldest first. RESP answers in order, so
/// the next reply always belongs to the head. A caller that timed out or cancelled keeps its slot:
/// its late reply is taken off the head and dropped, instead of shifting onto the next caller.
/// </summary>
internal sealed class PendingReplies
{
    // One lock, because "still open?" and "enqueue" must be one step: without it the writer could
    // add a command just after FailAll drained the queue, and that command would wait forever.
    private readonly object _gate = new();
    private readonly Queue<PendingCommand> _queue = new();
    private Exception? _failure;

    /// <summary>Number of commands awaiting a reply.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Appends a batch about to be written; false once the connection has failed.</summary>
    public bool TryAdd(List<PendingCommand> batch)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                return false;
            }

            foreach (var command in batch)
            {
                _queue.Enqueue(command);
            }

            return true;
        }
    }

    /// <summary>The command the next reply answers, or null when a reply arrives that nobody asked for.</summary>
    public PendingCommand? TryTake()
    {
        lock (_gate)
        {
            return _queue.TryDequeue(out var command) ? command : null;
        }
    }

    /// <summary>
    /// Fails every waiting command and refuses new ones; idempotent. Each command gets its own
    /// exception from <paramref name="error"/>: one instance rethrown by many awaits would share a stack trace.
    /// </summary>
    public void FailAll(Exception reason, Func<PendingCommand, Exception> error)
    {
        PendingCommand[] drained;
        lock (_gate)
        {
            _failure ??= reason;
            drained = [.. _queue];
            _queue.Clear();
        }

        foreach (var command in drained)
        {
            command.TrySetException(error(command));
        }
    }
}
