using System.Diagnostics;
using System.Numerics;
using LiveIm.Core.Bus;
using LiveIm.Hosting.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace LiveIm.Hosting.Bus;

/// <summary>
/// <see cref="IMessageBus"/> over the official client's <see cref="NatsConnection"/>: the one place that knows NATS.
/// It keeps the bus contract where the library does otherwise by default (<see cref="NatsBusOptions"/> has the rest):
/// <list type="bullet">
/// <item>a publish, request or subscribe while disconnected fails at once with <see cref="BusUnavailableException"/>
/// (the library would buffer it until the connection is back);</item>
/// <item>a request pending when the connection drops fails then, not at its timeout; no responders, timeouts and a
/// lost connection all become <see cref="BusUnavailableException"/>;</item>
/// <item>a subscription is live when <see cref="SubscribeAsync"/> returns: a PING round trip after the SUB, so the
/// server has processed it (the library returns once SUB is queued);</item>
/// <item>one handler call at a time, in order, per subscription (one reader loop each), and each payload is an array
/// of its own that outlives the handler (a gateway's tick holds room events until it flushes them);</item>
/// <item>messages a slow subscription drops are counted (<c>liveim.bus.dropped</c>) and logged.</item>
/// </list>
/// The library re-sends every subscription after a reconnect; <see cref="ConnectionChanged"/> then tells the gateway
/// to run its repair read.
/// </summary>
public sealed partial class NatsMessageBus : IMessageBus
{
    /// <summary>How long the PING after a SUB may take before the subscribe fails (the server is not answering).</summary>
    public static readonly TimeSpan SubscribeFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly NatsConnection _connection;
    private readonly BackendMetrics? _metrics;
    private readonly ILogger _logger;

    // Cancelled when the connection drops, so requests waiting for a reply fail then; replaced at once by a fresh one
    // for the requests of the next connection. Never disposed: a request may still be linking to it.
    private CancellationTokenSource _connectionLost = new();
    private (TimeSpan Timeout, NatsSubOpts Opts) _replyOpts = (TimeSpan.Zero, new NatsSubOpts());
    private long _dropped;

    /// <summary>Adapts <paramref name="connection"/>; it may connect later (<see cref="ConnectAsync"/>).</summary>
    public NatsMessageBus(NatsConnection connection, BackendMetrics? metrics = null, ILogger<NatsMessageBus>? logger = null)
    {
        _connection = connection;
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _connection.ConnectionOpened += OnOpened;
        _connection.ConnectionDisconnected += OnDisconnected;
        _connection.MessageDropped += OnMessageDropped;
    }

    /// <summary>The client connection (readiness PINGs it; the probe times its round trips).</summary>
    public NatsConnection Connection => _connection;

    /// <summary>Messages dropped by slow subscriptions since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <inheritdoc />
    public event EventHandler<bool>? ConnectionChanged;

    /// <summary>First connect: tries each server once; throws <see cref="NatsException"/> when none answered (call again to retry).</summary>
    public Task ConnectAsync(CancellationToken cancellationToken) => _connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected();
        try
        {
            await _connection.PublishAsync(subject, payload, cancellationToken: cancellationToken).ConfigureAwait(false);
            _metrics?.Published();
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw new BusUnavailableException($"publish to '{subject}' failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        string subject, string? queueGroup, Func<BusMessage, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected();
        INatsSub<byte[]> sub;
        try
        {
            sub = await _connection.SubscribeCoreAsync<byte[]>(subject, queueGroup, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw new BusUnavailableException($"subscribe to '{subject}' failed: {ex.Message}", ex);
        }

        try
        {
            // The server handles a connection's commands in order: once the PONG is back it has processed the SUB,
            // and every message published from now on reaches this subscription (a join depends on it).
            using var flush = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            flush.CancelAfter(SubscribeFlushTimeout);
            await _connection.PingAsync(flush.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            await sub.DisposeAsync().ConfigureAwait(false);
            throw new BusUnavailableException($"subscribe to '{subject}' not confirmed by the server: {ex.Message}", ex);
        }

        return new Subscription(this, sub, handler);
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> RequestAsync(
        string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ThrowIfDisconnected();
        var start = Stopwatch.GetTimestamp();
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Volatile.Read(ref _connectionLost).Token);
        try
        {
            var reply = await _connection.RequestAsync<ReadOnlyMemory<byte>, byte[]>(
                subject, payload, replyOpts: ReplyOpts(timeout), cancellationToken: lost.Token).ConfigureAwait(false);
            if (reply.HasNoResponders)
            {
                throw new NatsNoRespondersException();
            }

            _metrics?.Request(subject, Stopwatch.GetElapsedTime(start), ok: true);
            return reply.Data ?? [];
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            _metrics?.Request(subject, Stopwatch.GetElapsedTime(start), ok: false);
            throw new BusUnavailableException(ex switch
            {
                NatsNoRespondersException => $"no responders on '{subject}'",
                NatsNoReplyException or NatsTimeoutException or TimeoutException => $"no reply from '{subject}' within {timeout.TotalMilliseconds:0} ms",
                OperationCanceledException => $"the NATS connection was lost while waiting for '{subject}'",
                _ => $"request to '{subject}' failed: {ex.Message}",
            }, ex);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _connection.ConnectionOpened -= OnOpened;
        _connection.ConnectionDisconnected -= OnDisconnected;
        _connection.MessageDropped -= OnMessageDropped;
        return ValueTask.CompletedTask;
    }

    // Everything that means "cannot deliver now". A payload over the server's limit is the caller's bug and a cancelled
    // caller its own decision: both pass through unchanged.
    private static bool IsUnavailable(Exception ex, CancellationToken callerToken) => ex switch
    {
        NatsPayloadTooLargeException => false,
        NatsException => true,
        TimeoutException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        ObjectDisposedException => true, // the connection is being disposed at shutdown
        _ => false,
    };

    private void ThrowIfDisconnected()
    {
        var state = _connection.ConnectionState;
        if (state != NatsConnectionState.Open)
        {
            throw new BusUnavailableException($"the NATS connection is {state.ToString().ToLowerInvariant()}");
        }
    }

    // One NatsSubOpts per timeout value in use (the gateway has one): no allocation per request.
    private NatsSubOpts ReplyOpts(TimeSpan timeout)
    {
        var cached = _replyOpts;
        if (cached.Timeout == timeout)
        {
            return cached.Opts;
        }

        var opts = new NatsSubOpts { Timeout = timeout, ThrowIfNoResponders = true };
        _replyOpts = (timeout, opts);
        return opts;
    }

    private ValueTask OnOpened(object? sender, NatsEventArgs args)
    {
        LogConnected(args.Message);
        Raise(true);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnDisconnected(object? sender, NatsEventArgs args)
    {
        Interlocked.Exchange(ref _connectionLost, new CancellationTokenSource()).Cancel();
        LogDisconnected(args.Message);
        Raise(false);
        return ValueTask.CompletedTask;
    }

    private ValueTask OnMessageDropped(object? sender, NatsMessageDroppedEventArgs args)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        _metrics?.Dropped();

        // Powers of two: the first drop is reported at once, a sustained overload logs ~20 lines per million.
        if (BitOperations.IsPow2(dropped))
        {
            LogDropped(args.Subject, args.Pending, dropped);
        }

        return ValueTask.CompletedTask;
    }

    private void Raise(bool connected)
    {
        try
        {
            ConnectionChanged?.Invoke(this, connected);
        }
        catch (Exception ex)
        {
            // A listener's failure must not stop the client's event loop (it also delivers the next events).
            LogListenerFailed(ex);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Bus connected to {Server}")]
    private partial void LogConnected(string server);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Bus connection to {Server} lost; reconnecting")]
    private partial void LogDisconnected(string server);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Slow subscription on {Subject}: a message was dropped with {Pending} pending ({Dropped} dropped since start)")]
    private partial void LogDropped(string subject, int pending, long dropped);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "A bus subscription handler failed on {Subject}; the subscription goes on")]
    private partial void LogHandlerFailed(Exception ex, string subject);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "A ConnectionChanged listener failed")]
    private partial void LogListenerFailed(Exception ex);

    /// <summary>One subscription: a loop hands its messages to the handler one at a time, in order.</summary>
    private sealed class Subscription : IAsyncDisposable
    {
        private readonly NatsMessageBus _bus;
        private readonly INatsSub<byte[]> _sub;
        private readonly Func<BusMessage, ValueTask> _handler;

        public Subscription(NatsMessageBus bus, INatsSub<byte[]> sub, Func<BusMessage, ValueTask> handler)
        {
            _bus = bus;
            _sub = sub;
            _handler = handler;
            _ = Task.Run(RunAsync);
        }

        public async ValueTask DisposeAsync()
        {
            // Unsubscribes and completes the channel; the loop hands out what is already queued and ends. Not awaited:
            // a handler may dispose its own subscription.
            await _sub.DisposeAsync().ConfigureAwait(false);
        }

        private async Task RunAsync()
        {
            var reader = _sub.Msgs;
            while (await WaitToReadAsync(reader).ConfigureAwait(false))
            {
                while (reader.TryRead(out var msg))
                {
                    _bus._metrics?.Received();
                    try
                    {
                        // The raw deserializer copies each payload into an array of its own (NatsRawSerializer): the
                        // handler may keep it as long as it likes.
                        await _handler(new BusMessage(msg.Subject, msg.Data ?? [], msg.ReplyTo)).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        // One bad message must not end the stream.
                        _bus.LogHandlerFailed(ex, msg.Subject);
                    }
                }
            }
        }

        // The channel completes when the subscription ends (unsubscribed, connection disposed), with the reason as
        // its exception when it ended badly: either way this subscription has nothing more to deliver.
        private static async ValueTask<bool> WaitToReadAsync(System.Threading.Channels.ChannelReader<NatsMsg<byte[]>> reader)
        {
            try
            {
                return await reader.WaitToReadAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NatsException or OperationCanceledException or System.Threading.Channels.ChannelClosedException)
            {
                return false;
            }
        }
    }
}
