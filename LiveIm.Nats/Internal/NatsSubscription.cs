using System.Numerics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace LiveIm.Nats.Internal;

/// <summary>
/// A subscription: the socket reader drops messages into a bounded channel (never waiting), and one loop per
/// subscription hands them to the handler one at a time. A slow handler thus only delays, and eventually drops,
/// its own messages; the reader and every other subscription keep going.
/// </summary>
internal sealed class NatsSubscription : INatsSubscription
{
    private readonly NatsConnection _connection;
    private readonly NatsMessageHandler _handler;
    private readonly Channel<NatsMsg> _channel;
    private readonly ILogger _logger;
    private long _delivered;
    private long _received;
    private long _dropped;
    private long _limit = long.MaxValue;
    private volatile bool _completed;

    public NatsSubscription(
        NatsConnection connection, long sid, string subject, string? queueGroup, NatsMessageHandler handler, int capacity, ILogger logger)
    {
        _connection = connection;
        Sid = sid;
        Subject = subject;
        QueueGroup = queueGroup;
        _handler = handler;
        _logger = logger;
        _channel = Channel.CreateBounded<NatsMsg>(new BoundedChannelOptions(capacity)
        {
            // Wait + TryWrite: when full, TryWrite returns false and we drop the newest message and count it;
            // the DropOldest/DropWrite modes would discard silently and leave the Dropped counter blind.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        Loop = Task.Run(RunAsync);
    }

    /// <summary>The subscription id sent in SUB and echoed in every MSG.</summary>
    public long Sid { get; }

    public string Subject { get; }

    public string? QueueGroup { get; }

    public long Received => Interlocked.Read(ref _received);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages the server routed here (received plus dropped).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary><see cref="Delivered"/> when SUB was last sent: the server counts an UNSUB max from there.</summary>
    public long DeliveredAtSubscribe { get; set; }

    /// <summary>The total set by UNSUB with max, if any.</summary>
    public long? Limit
    {
        get
        {
            var limit = Interlocked.Read(ref _limit);
            return limit == long.MaxValue ? null : limit;
        }

        set => Interlocked.Exchange(ref _limit, value ?? long.MaxValue);
    }

    /// <summary>Completes when the handler loop has ended (after unsubscribe or dispose).</summary>
    public Task Loop { get; }

    /// <summary>Called by the socket reader only. Returns true when the UNSUB max has been reached.</summary>
    public bool Deliver(in NatsMsg msg)
    {
        var delivered = Interlocked.Increment(ref _delivered);
        var limit = Interlocked.Read(ref _limit);
        if (delivered > limit)
        {
            // In flight when the limit was reached; the server will not send more.
            return true;
        }

        if (_completed)
        {
            // In flight when we unsubscribed: neither received nor a slow-consumer drop.
            return false;
        }

        if (_channel.Writer.TryWrite(msg))
        {
            Interlocked.Increment(ref _received);
        }
        else
        {
            var dropped = Interlocked.Increment(ref _dropped);

            // Powers of two: the first drop is reported at once, a sustained overload logs ~20 lines per million.
            if (BitOperations.IsPow2(dropped))
            {
                NatsConnection.Log.SlowConsumer(_logger, Sid, Subject, dropped);
            }
        }

        return delivered >= limit;
    }

    /// <summary>No more messages; the loop drains what is queued and ends.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
    }

    public ValueTask UnsubscribeAsync(int? maxMessages = null)
    {
        if (maxMessages is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxMessages), "Must be positive.");
        }

        _connection.Unsubscribe(this, maxMessages);
        return default;
    }

    public ValueTask DisposeAsync() => UnsubscribeAsync();

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var msg))
            {
                try
                {
                    await _handler(msg).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The subscription outlives a failing handler: one bad message must not stop the stream.
                    NatsConnection.Log.HandlerFailed(_logger, ex, Sid, Subject);
                }
            }
        }
    }
}
