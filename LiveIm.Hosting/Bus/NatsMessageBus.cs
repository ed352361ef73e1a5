using System.Diagnostics;
using LiveIm.Core.Bus;
using LiveIm.Hosting.Metrics;
using LiveIm.Nats;

namespace LiveIm.Hosting.Bus;

/// <summary>
/// <see cref="IMessageBus"/> over our NATS client: the one adapter to rewrite if the official client replaces ours.
/// Maps every "cannot deliver now" failure to <see cref="BusUnavailableException"/>. Counts what it publishes and
/// receives and times requests (<see cref="BackendMetrics"/>), so the NATS library itself has no metrics.
/// </summary>
public sealed class NatsMessageBus : IMessageBus
{
    private readonly INatsConnection _connection;
    private readonly BackendMetrics? _metrics;

    public NatsMessageBus(INatsConnection connection, BackendMetrics? metrics = null)
    {
        _connection = connection;
        _metrics = metrics;
        _connection.StateChanged += OnStateChanged;
    }

    /// <inheritdoc />
    public bool IsConnected => _connection.State == NatsConnectionState.Connected;

    /// <inheritdoc />
    public event EventHandler<bool>? ConnectionChanged;

    /// <inheritdoc />
    public async ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.PublishAsync(subject, payload, cancellationToken: cancellationToken);
            _metrics?.Published();
        }
        catch (NatsException ex) when (ex is not NatsPayloadTooLargeException)
        {
            throw new BusUnavailableException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> SubscribeAsync(
        string subject, string? queueGroup, Func<BusMessage, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        var subscription = await _connection.SubscribeAsync(
            subject, queueGroup, msg =>
            {
                _metrics?.Received();
                return handler(new BusMessage(msg.Subject, msg.Data, msg.ReplyTo));
            }, cancellationToken);
        if (IsConnected)
        {
            // A round trip after SUB: the server has processed the SUB once the PONG is back, so every message
            // published after this returns reaches the subscription (the join path depends on it).
            try
            {
                await _connection.PingAsync(cancellationToken);
            }
            catch (NatsException)
            {
                // Lost the connection meanwhile: the subscription is re-sent on reconnect.
            }
        }

        return subscription;
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> RequestAsync(
        string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var reply = await _connection.RequestAsync(subject, payload, timeout, cancellationToken: cancellationToken);
            _metrics?.Request(subject, Stopwatch.GetElapsedTime(start), ok: true);
            return reply.Data;
        }
        catch (NatsException ex) when (ex is not NatsPayloadTooLargeException)
        {
            _metrics?.Request(subject, Stopwatch.GetElapsedTime(start), ok: false);
            throw new BusUnavailableException(ex.Message, ex);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _connection.StateChanged -= OnStateChanged;
        return ValueTask.CompletedTask;
    }

    private void OnStateChanged(object? sender, NatsConnectionStateChangedEventArgs e)
    {
        if (e.NewState == NatsConnectionState.Connected && e.OldState != NatsConnectionState.Connected)
        {
            ConnectionChanged?.Invoke(this, true);
        }
        else if (e.OldState == NatsConnectionState.Connected && e.NewState != NatsConnectionState.Connected)
        {
            ConnectionChanged?.Invoke(this, false);
        }
    }
}
