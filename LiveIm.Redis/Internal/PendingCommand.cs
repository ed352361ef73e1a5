namespace LiveIm.Redis.Internal;

/// <summary>
/// A command from enqueue until its reply. It is its own completion source (one allocation per
/// command); continuations run asynchronously so a caller's code never runs on the reader loop and
/// cannot stall the replies behind it.
/// </summary>
internal sealed class PendingCommand : TaskCompletionSource<RedisValue>
{
    public PendingCommand(string command, IReadOnlyList<RedisArg> args)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Command = command;
        Args = args;
    }

    /// <summary>The command name, for exception messages.</summary>
    public string Command { get; }

    /// <summary>Arguments, read once by the writer loop.</summary>
    public IReadOnlyList<RedisArg> Args { get; }

    /// <summary>
    /// For a command nobody will await any more (timed out, cancelled, abandoned handshake): a later
    /// failure is observed here instead of surfacing as an unobserved task exception.
    /// </summary>
    public void ObserveFailure() =>
        Task.ContinueWith(
            static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Completes with the reply; a top-level error reply becomes a <see cref="RedisServerException"/>.</summary>
    public void Complete(RedisValue reply)
    {
        if (reply.Type == RedisValueType.Error)
        {
            TrySetException(new RedisServerException(reply.AsString()!));
        }
        else
        {
            TrySetResult(reply);
        }
    }
}
