namespace LiveIm.Core.Bus;

/// <summary>
/// The narrow seam between LiveIm and its message bus: the room logic and the gateway speak in subjects and payloads,
/// and only <c>NatsMessageBus</c> (LiveIm.Hosting/Bus, over the official NATS client) knows NATS. Its tests against a
/// real nats-server (tests/LiveIm.Hosting.Tests) hold every promise made here.
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
    /// Subscribes; when the returned task completes the bus delivers every message published afterwards, also after
    /// reconnects. Messages of one subscription reach <paramref name="handler"/> one at a time, in order; each
    /// <see cref="BusMessage.Data"/> belongs to the handler and stays valid after it returns. With a
    /// <paramref name="queueGroup"/>, each message goes to one member of the group. Throws
    /// <see cref="BusUnavailableException"/> at once when disconnected.
    /// </summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(
        string subject, string? queueGroup, Func<BusMessage, ValueTask> handler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Request/reply. Throws <see cref="BusUnavailableException"/> at once when disconnected or without responders,
    /// when the connection drops while waiting, or after <paramref name="timeout"/>.
    /// </summary>
    Task<ReadOnlyMemory<byte>> RequestAsync(
        string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default);
}
