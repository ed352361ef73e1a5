using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using LiveIm.Nats.Internal;

namespace LiveIm.Nats;

/// <summary>
/// Request/reply over one shared inbox subscription (<c>_INBOX.&lt;random&gt;.*</c>): each request publishes
/// with reply subject <c>_INBOX.&lt;random&gt;.&lt;token&gt;</c> and waits for the reply routed by token.
/// One SUB for all requests instead of a SUB/UNSUB pair per request halves the protocol traffic.
/// </summary>
public sealed partial class NatsConnection
{
    private readonly string _inboxPrefix;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<NatsMsg>> _pendingRequests = new(StringComparer.Ordinal);

    // Looks replies up by the token's characters inside the reply subject, without cutting a substring.
    private readonly ConcurrentDictionary<string, TaskCompletionSource<NatsMsg>>.AlternateLookup<ReadOnlySpan<char>> _pendingByToken;
    private NatsSubscription? _inbox;
    private long _nextRequestId;

    /// <inheritdoc />
    public async Task<NatsMsg> RequestAsync(
        string subject,
        ReadOnlyMemory<byte> payload,
        TimeSpan? timeout = null,
        NatsHeaders? headers = null,
        CancellationToken cancellationToken = default)
    {
        Subjects.ValidateForPublish(subject, nameof(subject));
        var wait = timeout ?? _options.RequestTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        EnsureInbox();

        var token = Interlocked.Increment(ref _nextRequestId).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<NatsMsg>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingRequests[token] = reply;
        try
        {
            await PublishAsync(subject, payload, _inboxPrefix + token, headers, cancellationToken).ConfigureAwait(false);
            NatsMsg msg;
            try
            {
                msg = await reply.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                throw new NatsRequestTimeoutException($"No reply to '{subject}' within {wait.TotalMilliseconds:0} ms.", ex);
            }

            // With no_responders, the server itself answers "NATS/1.0 503" with an empty body when nobody is subscribed.
            if (msg.Headers?.StatusCode == ProtocolStrings.NoRespondersStatus && msg.Data.IsEmpty)
            {
                throw new NatsNoRespondersException($"No responders are subscribed to '{subject}'.");
            }

            return msg;
        }
        finally
        {
            _pendingRequests.TryRemove(token, out _);
        }
    }

    private void EnsureInbox()
    {
        if (Volatile.Read(ref _inbox) is not null)
        {
            return;
        }

        lock (_subscriptionGate)
        {
            _inbox ??= Subscribe(_inboxPrefix + "*", null, OnReply);
        }
    }

    private ValueTask OnReply(NatsMsg msg)
    {
        if (msg.Subject.Length > _inboxPrefix.Length
            && _pendingByToken.TryRemove(msg.Subject.AsSpan(_inboxPrefix.Length), out _, out var pending))
        {
            pending.TrySetResult(msg);
        }

        // Otherwise a late reply to a request that timed out: nobody waits for it any more.
        return default;
    }

    private void FailPendingRequests(Exception error)
    {
        foreach (var token in _pendingRequests.Keys)
        {
            if (_pendingRequests.TryRemove(token, out var pending))
            {
                pending.TrySetException(error);
            }
        }
    }

    // 22 characters from 62 carry ~131 bits: inboxes of different connections never collide.
    private static string NewInboxId() =>
        RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 22);
}
