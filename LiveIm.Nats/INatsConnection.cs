namespace LiveIm.Nats;

/// <summary>A NATS core connection: publish, subscribe, request/reply, with automatic reconnect.</summary>
public interface INatsConnection : IAsyncDisposable
{
    /// <summary>Current state.</summary>
    NatsConnectionState State { get; }

    /// <summary>Raised for every state transition, including Reconnecting to Connected (a reconnect).</summary>
    event EventHandler<NatsConnectionStateChangedEventArgs>? StateChanged;

    /// <summary>The server connected to (credentials removed), or null while not connected.</summary>
    string? ConnectedUrl { get; }

    /// <summary>Largest payload (headers included) the server accepts, from its INFO.</summary>
    long MaxPayload { get; }

    /// <summary>
    /// First connect: tries each server once (each within <see cref="NatsOptions.ConnectTimeout"/>).
    /// Throws <see cref="NatsException"/> when none accepted (a <see cref="NatsServerErrorException"/> when a server refused).
    /// </summary>
    Task ConnectAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes. Throws <see cref="NatsNotConnectedException"/> at once when not connected (nothing is buffered
    /// across a reconnect) and <see cref="NatsPayloadTooLargeException"/> before writing anything when too big.
    /// </summary>
    ValueTask PublishAsync(
        string subject,
        ReadOnlyMemory<byte> payload,
        string? replyTo = null,
        NatsHeaders? headers = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Subscribes. Allowed while disconnected: the subscription is sent on (re)connect. Messages reach
    /// <paramref name="handler"/> one at a time, in order, off the socket reader.
    /// </summary>
    ValueTask<INatsSubscription> SubscribeAsync(
        string subject,
        string? queueGroup,
        NatsMessageHandler handler,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes with a reply inbox and waits for the first reply. Throws <see cref="NatsRequestTimeoutException"/>,
    /// <see cref="NatsNoRespondersException"/> (nobody subscribed), or <see cref="NatsNotConnectedException"/>.
    /// </summary>
    Task<NatsMsg> RequestAsync(
        string subject,
        ReadOnlyMemory<byte> payload,
        TimeSpan? timeout = null,
        NatsHeaders? headers = null,
        CancellationToken cancellationToken = default);

    /// <summary>Sends a PING and returns the round trip until its PONG.</summary>
    Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns once the server has processed everything written before the call (a PING/PONG round trip).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken = default);
}
