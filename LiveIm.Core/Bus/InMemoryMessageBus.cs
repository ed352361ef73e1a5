using System.Collections.Concurrent;
using System.Threading.Channels;

namespace LiveIm.Core.Bus;

/// <summary>
/// An in-process <see cref="IMessageBus"/> for unit tests: exact subjects (no wildcards), queue groups,
/// request/reply, and a switch to simulate an outage. Never the only proof of a feature (tests use real NATS too).
/// </summary>
public sealed class InMemoryMessageBus : IMessageBus
{
    private readonly ConcurrentDictionary<string, List<Subscription>> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ReadOnlyMemory<byte>>> _pending = new();
    private long _inboxCounter;
    private volatile bool _connected = true;

    /// <inheritdoc />
    public bool IsConnected => _connected;

    /// <inheritdoc />
    public event EventHandler<bool>? ConnectionChanged;

    /// <summary>Simulates losing (false) or regaining (true) the bus.</summary>
    public void SetConnected(bool connected)
    {
        _connected = connected;
        ConnectionChanged?.Invoke(this, connected);
    }

    /// <inheritdoc />
    public ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        Publish(subject, payload, replyTo: null);

    /// <inheritdoc />
    public ValueTask<IAsyncDisposable> SubscribeAsync(
        string subject, string? queueGroup, Func<BusMessage, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        var subscription = new Subscription(this, subject, queueGroup, handler);
        var list = _subscriptions.GetOrAdd(subject, _ => new List<Subscription>());
        lock (list)
        {
            list.Add(subscription);
        }

        return ValueTask.FromResult<IAsyncDisposable>(subscription);
    }

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> RequestAsync(
        string subject, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var inbox = "_INBOX.mem." + Interlocked.Increment(ref _inboxCounter);
        var reply = new TaskCompletionSource<ReadOnlyMemory<byte>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[inbox] = reply;
        try
        {
            if (!HasSubscribers(subject))
            {
                throw new BusUnavailableException($"No responders for '{subject}'.");
            }

            await Publish(subject, payload, inbox);
            return await reply.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new BusUnavailableException($"No reply from '{subject}' within {timeout.TotalMilliseconds} ms.", ex);
        }
        finally
        {
            _pending.TryRemove(inbox, out _);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var list in _subscriptions.Values)
        {
            lock (list)
            {
                foreach (var s in list)
                {
                    s.Complete();
                }

                list.Clear();
            }
        }

        return ValueTask.CompletedTask;
    }

    private bool HasSubscribers(string subject)
    {
        if (!_subscriptions.TryGetValue(subject, out var list))
        {
            return false;
        }

        lock (list)
        {
            return list.Count > 0;
        }
    }

    private ValueTask Publish(string subject, ReadOnlyMemory<byte> payload, string? replyTo)
    {
        if (!_connected)
        {
            throw new BusUnavailableException("The in-memory bus is disconnected.");
        }

        // Copy: the publisher may reuse its buffer as soon as this returns.
        var data = payload.ToArray();
        if (_pending.TryGetValue(subject, out var waiting))
        {
            waiting.TrySetResult(data);
            return ValueTask.CompletedTask;
        }

        if (!_subscriptions.TryGetValue(subject, out var list))
        {
            return ValueTask.CompletedTask;
        }

        Subscription[] targets;
        lock (list)
        {
            targets = list.ToArray();
        }

        var message = new BusMessage(subject, data, replyTo);
        foreach (var plain in targets.Where(s => s.QueueGroup is null))
        {
            plain.Enqueue(message);
        }

        foreach (var group in targets.Where(s => s.QueueGroup is not null).GroupBy(s => s.QueueGroup))
        {
            var members = group.ToArray();
            members[Random.Shared.Next(members.Length)].Enqueue(message);
        }

        return ValueTask.CompletedTask;
    }

    private void Remove(Subscription subscription)
    {
        if (_subscriptions.TryGetValue(subscription.Subject, out var list))
        {
            lock (list)
            {
                list.Remove(subscription);
            }
        }
    }

    private sealed class Subscription : IAsyncDisposable
    {
        private readonly InMemoryMessageBus _bus;
        private readonly Channel<BusMessage> _queue = Channel.CreateUnbounded<BusMessage>(new() { SingleReader = true });
        private readonly Task _loop;

        public Subscription(InMemoryMessageBus bus, string subject, string? queueGroup, Func<BusMessage, ValueTask> handler)
        {
            _bus = bus;
            Subject = subject;
            QueueGroup = queueGroup;
            _loop = Task.Run(async () =>
            {
                await foreach (var message in _queue.Reader.ReadAllAsync())
                {
                    try
                    {
                        await handler(message);
                    }
                    catch (Exception)
                    {
                        // A failing handler must not end the subscription (the NATS bus behaves the same way).
                    }
                }
            });
        }

        public string Subject { get; }

        public string? QueueGroup { get; }

        public void Enqueue(BusMessage message) => _queue.Writer.TryWrite(message);

        public void Complete() => _queue.Writer.TryComplete();

        public async ValueTask DisposeAsync()
        {
            _bus.Remove(this);
            Complete();
            await _loop;
        }
    }
}
