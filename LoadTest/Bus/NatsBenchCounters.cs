namespace LiveIm.LoadTest.Bus;

/// <summary>
/// What one step's clients sent and received, counted on every message, and the window that keeps the publishers
/// from running ahead of the gateways: a subscriber that falls behind would have its messages dropped (by the client
/// past its subscription capacity, or by the server as a slow consumer) and the delivery check would fail for a
/// reason that is the load client's, not the server's.
/// </summary>
internal sealed class NatsBenchCounters
{
    /// <summary>
    /// Room event deliveries to gateways in flight at most (published × g − received). Half of LiveIm's subscription
    /// capacity (NatsBusOptions.SubscriptionCapacity, 65,536): even if every message in flight were for one
    /// subscription it would not drop; at 300 bytes it is ~10 MB, far below nats-server's 64 MB per-connection
    /// pending limit, and many times what the server batches per write, so the window never throttles a healthy run.
    /// </summary>
    public const long DeliveryWindow = 32_768;

    private readonly int _fanout;
    private long _eventsPublished;
    private long _gatewayReceived;
    private long _gatewayBytes;
    private long _requestsSent;
    private long _requestsReceived;
    private long _repliesSent;
    private long _repliesReceived;
    private long _requestsFailed;
    private long _dropped;
    private TaskCompletionSource? _waiter;

    public NatsBenchCounters(int fanout)
    {
        _fanout = fanout;
    }

    /// <summary>Room events published.</summary>
    public long EventsPublished => Interlocked.Read(ref _eventsPublished);

    /// <summary>Room event copies the gateways received.</summary>
    public long GatewayReceived => Interlocked.Read(ref _gatewayReceived);

    /// <summary>Payload bytes of those copies.</summary>
    public long GatewayBytes => Interlocked.Read(ref _gatewayBytes);

    /// <summary>Chat requests the gateways sent.</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    /// <summary>Chat requests RoomService connections received.</summary>
    public long RequestsReceived => Interlocked.Read(ref _requestsReceived);

    /// <summary>Replies RoomService connections sent.</summary>
    public long RepliesSent => Interlocked.Read(ref _repliesSent);

    /// <summary>Replies the gateways received.</summary>
    public long RepliesReceived => Interlocked.Read(ref _repliesReceived);

    /// <summary>Requests that got no reply in time (or no responder).</summary>
    public long RequestsFailed => Interlocked.Read(ref _requestsFailed);

    /// <summary>Messages the client dropped because a subscription was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages the clients put into NATS.</summary>
    public long MessagesIn => EventsPublished + RequestsSent + RepliesSent;

    /// <summary>Messages the clients got out of NATS.</summary>
    public long MessagesOut => GatewayReceived + RequestsReceived + RepliesReceived;

    /// <summary>Deliveries still owed to gateways.</summary>
    public long Outstanding => (EventsPublished * _fanout) - GatewayReceived;

    public void EventPublished() => Interlocked.Increment(ref _eventsPublished);

    public void RequestSent() => Interlocked.Increment(ref _requestsSent);

    public void RequestReceived() => Interlocked.Increment(ref _requestsReceived);

    public void ReplySent() => Interlocked.Increment(ref _repliesSent);

    public void ReplyReceived() => Interlocked.Increment(ref _repliesReceived);

    /// <summary>The last reason a request failed, if any did.</summary>
    public string? LastError { get; private set; }

    public void RequestFailed(string reason)
    {
        LastError = reason;
        Interlocked.Increment(ref _requestsFailed);
    }

    /// <summary>Records what went wrong without counting a failure (its caller counts it).</summary>
    public void Note(string reason) => LastError = reason;

    public void MessageDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>A room event reached a gateway; wakes the senders once half the window is free again.</summary>
    public void GatewayGot(int bytes)
    {
        Interlocked.Increment(ref _gatewayReceived);
        Interlocked.Add(ref _gatewayBytes, bytes);
        if (Volatile.Read(ref _waiter) is not null && Outstanding < DeliveryWindow / 2)
        {
            Interlocked.Exchange(ref _waiter, null)?.TrySetResult();
        }
    }

    /// <summary>Returns at once while the window has room; else waits (sleeping, not spinning: the server needs the cores).</summary>
    public ValueTask WaitForWindowAsync(CancellationToken cancellationToken) =>
        Outstanding < DeliveryWindow ? ValueTask.CompletedTask : WaitSlowAsync(cancellationToken);

    private async ValueTask WaitSlowAsync(CancellationToken cancellationToken)
    {
        while (Outstanding >= DeliveryWindow && !cancellationToken.IsCancellationRequested)
        {
            var waiter = Volatile.Read(ref _waiter);
            if (waiter is null)
            {
                var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waiter = Interlocked.CompareExchange(ref _waiter, fresh, null) ?? fresh;
            }

            // Looked at again after the waiter is in place: a receiver that freed the window just before would not
            // have seen it. The timeout bounds the wait when messages were lost and the window never frees.
            if (Outstanding < DeliveryWindow)
            {
                return;
            }

            await Task.WhenAny(waiter.Task, Task.Delay(100, cancellationToken)).ConfigureAwait(false);
        }
    }
}
