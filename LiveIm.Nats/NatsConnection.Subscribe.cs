using LiveIm.Nats.Internal;

namespace LiveIm.Nats;

/// <summary>SUB and UNSUB, and the registry that survives reconnects.</summary>
public sealed partial class NatsConnection
{
    /// <inheritdoc />
    public ValueTask<INatsSubscription> SubscribeAsync(
        string subject, string? queueGroup, NatsMessageHandler handler, CancellationToken cancellationToken = default)
    {
        Subjects.ValidateForSubscribe(subject, nameof(subject));
        if (queueGroup is not null)
        {
            Subjects.ValidateToken(queueGroup, nameof(queueGroup));
        }

        ArgumentNullException.ThrowIfNull(handler);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<INatsSubscription>(Subscribe(subject, queueGroup, handler));
    }

    private NatsSubscription Subscribe(string subject, string? queueGroup, NatsMessageHandler handler)
    {
        if (State == NatsConnectionState.Closed)
        {
            throw new NatsNotConnectedException("The NATS connection was disposed.");
        }

        var subscription = new NatsSubscription(
            this, Interlocked.Increment(ref _nextSid), subject, queueGroup, handler, _options.SubscriptionChannelCapacity, _logger);
        lock (_subscriptionGate)
        {
            _subscriptions[subscription.Sid] = subscription;

            // Disconnected: the next handshake sends it (it is in the registry now).
            if (_current is { } connection)
            {
                WriteSubscribe(connection, subscription);
            }
        }

        return subscription;
    }

    /// <summary>UNSUB now, or UNSUB with max (the server and <see cref="NatsSubscription.Deliver"/> both stop at the total).</summary>
    internal void Unsubscribe(NatsSubscription subscription, int? maxMessages)
    {
        lock (_subscriptionGate)
        {
            if (!_subscriptions.ContainsKey(subscription.Sid))
            {
                return;
            }

            if (maxMessages is not { } max || max <= subscription.Delivered)
            {
                _subscriptions.TryRemove(subscription.Sid, out _);
                _current?.Writer.TryWriteUnsubscribe(subscription.Sid, null);
                subscription.Complete();
                return;
            }

            subscription.Limit = max;

            // The server counts from its SUB, which after a reconnect is not ours: ask for what remains from there.
            _current?.Writer.TryWriteUnsubscribe(subscription.Sid, max - subscription.DeliveredAtSubscribe);
        }
    }

    private void RemoveSubscription(NatsSubscription subscription)
    {
        lock (_subscriptionGate)
        {
            _subscriptions.TryRemove(subscription.Sid, out _);
        }

        subscription.Complete();
    }

    /// <summary>SUB, plus UNSUB with the remaining count when a max is set. Caller holds <see cref="_subscriptionGate"/>.</summary>
    private static void WriteSubscribe(ServerConnection connection, NatsSubscription subscription)
    {
        var delivered = subscription.Delivered;
        subscription.DeliveredAtSubscribe = delivered;
        connection.Writer.TryWriteSubscribe(subscription.Subject, subscription.QueueGroup, subscription.Sid);
        if (subscription.Limit is { } limit)
        {
            connection.Writer.TryWriteUnsubscribe(subscription.Sid, limit - delivered);
        }
    }
}
