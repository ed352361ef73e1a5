namespace LiveIm.Core.Bus;

/// <summary>
/// The narrow seam between LiveIm and its message bus. <c>NatsMessageBus</c> (LiveIm.Hosting) is the production
/// implementation over our NATS client; <see cref="InMemoryMessageBus"/> serves unit tests. Both pass the same
/// specification tests (tests/LiveIm.Testing/MessageBusSpecification.cs), so the official NATS client could
/// replace ours by writing one adapter.
/// </summary>
public interface IMessageBus : IAsyncDisposable
{
    /// <summary>True while messages can be published.</summary>
    bool IsConnected { get; }

    /// <summary>Raised with <c>true</c> when the bus (re)connects and <c>false</c> when it is lost.
    /// Subscriptions survive; what was published while disconnected was not received.</summary>
    event EventHandler<bool>? ConnectionChanged;

    /// <summary>Publishes once. Throws <see cref="BusUnavailableException"/> at once when disconnected.</summary>
    ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes; when the returned task completes the bus delivers every message published afterwards.
    /// Messages of one subscription reach <paramref name="handler"/> one at a time, in order.
    /// With a <paramref name="queueGroup"/>, each message goes to one member of the group.
    /// </summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(
        string subject, string? queueGroup, Func<BusMessage, ValueTask> handler, CancellationToken cancellationToken = default);

    /// <summary>Request/reply. Throws <see cref="BusUnavailableException"/> when disconnected, without responders, or on timeout.</summary>
    Task<ReadOnlyMemory<byte>> RequestAsync(
        string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default);
}
