using System.Text.Json;
using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

/// <summary>An invocation waiting for its <c>Completion</c>, completed by the receive loop while the record is still in the buffer.</summary>
internal interface IPendingInvocation
{
    long Id { get; set; }

    /// <summary>"Completion ... Contains an error if the invocation concluded with an error or the result of a non-streaming method invocation."</summary>
    void Complete(in HubMessage message, ReadOnlySpan<byte> record, JsonSerializerOptions options);

    void Fail(Exception exception);

    void Cancel(CancellationToken cancellationToken);
}

/// <summary>An invocation whose result is deserialized to <typeparamref name="T"/>.</summary>
/// <remarks>
/// Continuations run asynchronously so the caller's code after <c>await InvokeAsync</c> never runs on (and never
/// stalls) the receive loop. Deriving from the completion source saves an allocation per invocation.
/// </remarks>
internal sealed class PendingInvocation<T> : TaskCompletionSource<T>, IPendingInvocation
{
    public PendingInvocation()
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
    }

    public long Id { get; set; }

    public void Complete(in HubMessage message, ReadOnlySpan<byte> record, JsonSerializerOptions options)
    {
        // "This field is ignored if error is present."
        if (message.Error is { } error)
        {
            TrySetException(new HubException(error));
            return;
        }

        if (!message.HasResult)
        {
            TrySetResult(default!);
            return;
        }

        try
        {
            TrySetResult(JsonSerializer.Deserialize<T>(record[message.Result], options)!);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // A result of an unexpected shape fails this invocation only, not the connection.
            TrySetException(ex);
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => TrySetCanceled(cancellationToken);
}

/// <summary>An invocation whose result, if any, is not wanted.</summary>
internal sealed class VoidPendingInvocation : TaskCompletionSource, IPendingInvocation
{
    public VoidPendingInvocation()
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
    }

    public long Id { get; set; }

    public void Complete(in HubMessage message, ReadOnlySpan<byte> record, JsonSerializerOptions options)
    {
        if (message.Error is { } error)
        {
            TrySetException(new HubException(error));
        }
        else
        {
            TrySetResult();
        }
    }

    public void Fail(Exception exception) => TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => TrySetCanceled(cancellationToken);
}
