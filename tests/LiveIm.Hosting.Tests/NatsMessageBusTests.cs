using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using LiveIm.Core.Bus;
using LiveIm.Hosting.Bus;
using LiveIm.Testing;
using NATS.Client.Core;

namespace LiveIm.Hosting.Tests;

/// <summary>
/// The bus contract (<see cref="IMessageBus"/>) held by the adapter over the official client, against a real
/// nats-server: where the library behaves otherwise by default, the test names the difference.
/// </summary>
[Collection(NatsCollection.Name)]
public sealed class NatsMessageBusTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly NatsServerFixture _nats;

    public NatsMessageBusTests(NatsServerFixture nats)
    {
        _nats = nats;
    }

    [Fact]
    public async Task Messages_of_one_subscription_reach_the_handler_in_order_one_call_at_a_time()
    {
        await using var publisher = await TestBus.StartAsync(_nats.Url);
        await using var subscriber = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("order");
        var seen = new ConcurrentQueue<int>();
        var inHandler = 0;
        var overlapped = false;
        await using var sub = await subscriber.Bus.SubscribeAsync(subject, null, async m =>
        {
            overlapped |= Interlocked.Increment(ref inHandler) > 1;
            await Task.Yield(); // a handler that awaits: the next message must still wait for it
            seen.Enqueue(int.Parse(Encoding.ASCII.GetString(m.Data.Span)));
            Interlocked.Decrement(ref inHandler);
        });

        const int count = 2_000;
        for (var i = 0; i < count; i++)
        {
            await publisher.Bus.PublishAsync(subject, Encoding.ASCII.GetBytes(i.ToString()));
        }

        await Eventually.TrueAsync(() => seen.Count == count, Wait, "every message arrives");
        Assert.Equal(Enumerable.Range(0, count), seen);
        Assert.False(overlapped, "two handler calls of one subscription overlapped");
        Assert.Equal(count, publisher.Counter("liveim.bus.published"));
        Assert.Equal(count, subscriber.Counter("liveim.bus.received"));
    }

    [Fact]
    public async Task Each_payload_is_the_handlers_own_and_outlives_the_handler()
    {
        // A gateway's room keeps the bytes of each event until its tick flushes them, long after the handler returned:
        // the client must not hand out views of a receive buffer it reuses.
        await using var publisher = await TestBus.StartAsync(_nats.Url);
        await using var subscriber = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("owned");
        var kept = new ConcurrentQueue<ReadOnlyMemory<byte>>();
        await using var sub = await subscriber.Bus.SubscribeAsync(subject, null, m =>
        {
            kept.Enqueue(m.Data);
            return ValueTask.CompletedTask;
        });

        const int count = 500;
        var sent = Enumerable.Range(0, count).Select(i => Encoding.ASCII.GetBytes(new string((char)('a' + (i % 26)), 100 + i))).ToArray();
        foreach (var payload in sent)
        {
            await publisher.Bus.PublishAsync(subject, payload);
        }

        await Eventually.TrueAsync(() => kept.Count == count, Wait, "every message arrives");
        Assert.All(kept.Zip(sent), pair => Assert.True(pair.First.Span.SequenceEqual(pair.Second), "a kept payload changed after its handler returned"));
    }

    [Fact]
    public async Task A_subscription_is_live_when_subscribe_returns()
    {
        // The library returns from subscribe once SUB is queued in its buffer; a message published by another connection
        // right after could reach the server first and be lost. The adapter PINGs after SUB.
        await using var publisher = await TestBus.StartAsync(_nats.Url);
        await using var subscriber = await TestBus.StartAsync(_nats.Url);
        for (var round = 0; round < 50; round++)
        {
            var subject = NatsServerFixture.Subject("live");
            var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var sub = await subscriber.Bus.SubscribeAsync(subject, null, _ =>
            {
                got.TrySetResult();
                return ValueTask.CompletedTask;
            });
            await publisher.Bus.PublishAsync(subject, "x"u8.ToArray());
            await got.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task A_queue_group_gives_each_message_to_one_member()
    {
        await using var publisher = await TestBus.StartAsync(_nats.Url);
        await using var a = await TestBus.StartAsync(_nats.Url);
        await using var b = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("queue");
        var counts = new int[2];
        await using var subA = await a.Bus.SubscribeAsync(subject, "workers", _ => { Interlocked.Increment(ref counts[0]); return ValueTask.CompletedTask; });
        await using var subB = await b.Bus.SubscribeAsync(subject, "workers", _ => { Interlocked.Increment(ref counts[1]); return ValueTask.CompletedTask; });
        for (var i = 0; i < 400; i++)
        {
            await publisher.Bus.PublishAsync(subject, "m"u8.ToArray());
        }

        await Eventually.TrueAsync(() => counts[0] + counts[1] == 400, Wait, "every message reaches one member");
        await Task.Delay(200);
        Assert.Equal(400, counts[0] + counts[1]);
        Assert.True(counts[0] > 0 && counts[1] > 0, $"both members got work ({counts[0]}, {counts[1]})");
    }

    [Fact]
    public async Task A_request_gets_the_reply_of_the_responder()
    {
        await using var client = await TestBus.StartAsync(_nats.Url);
        await using var server = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("echo");
        await using var sub = await server.Bus.SubscribeAsync(subject, "svc", async m =>
            await server.Bus.PublishAsync(m.ReplyTo!, Encoding.ASCII.GetBytes("re:" + Encoding.ASCII.GetString(m.Data.Span))));

        var reply = await client.Bus.RequestAsync(subject, "hello"u8.ToArray(), TimeSpan.FromSeconds(2));
        Assert.Equal("re:hello", Encoding.ASCII.GetString(reply.Span));
    }

    [Fact]
    public async Task A_request_nobody_serves_fails_at_once_with_unavailable()
    {
        await using var client = await TestBus.StartAsync(_nats.Url);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BusUnavailableException>(() =>
            client.Bus.RequestAsync(NatsServerFixture.Subject("nobody"), "x"u8.ToArray(), TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"no responders took {watch.Elapsed}, not the 5 s timeout");
        Assert.Contains("no responders", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.Counter("liveim.bus.request_failures"));
    }

    [Fact]
    public async Task A_request_to_a_silent_responder_fails_with_unavailable_after_its_timeout()
    {
        await using var client = await TestBus.StartAsync(_nats.Url);
        await using var silent = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("silent");
        await using var sub = await silent.Bus.SubscribeAsync(subject, null, _ => ValueTask.CompletedTask);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<BusUnavailableException>(() => client.Bus.RequestAsync(subject, "x"u8.ToArray(), TimeSpan.FromMilliseconds(300)));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        Assert.Contains("no reply", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_request_is_cancelled_not_unavailable()
    {
        await using var client = await TestBus.StartAsync(_nats.Url);
        await using var silent = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("cancel");
        await using var sub = await silent.Bus.SubscribeAsync(subject, null, _ => ValueTask.CompletedTask);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Bus.RequestAsync(subject, "x"u8.ToArray(), TimeSpan.FromSeconds(5), cancel.Token));
    }

    [Fact]
    public async Task A_failing_handler_does_not_end_its_subscription()
    {
        await using var bus = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("throws");
        var calls = 0;
        await using var sub = await bus.Bus.SubscribeAsync(subject, null, _ =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask);
        await bus.Bus.PublishAsync(subject, "1"u8.ToArray());
        await bus.Bus.PublishAsync(subject, "2"u8.ToArray());
        await Eventually.TrueAsync(() => calls == 2, Wait, "the second message still arrives");
    }

    [Fact]
    public async Task Disposing_a_subscription_stops_its_messages()
    {
        await using var bus = await TestBus.StartAsync(_nats.Url);
        var subject = NatsServerFixture.Subject("unsub");
        var calls = 0;
        var sub = await bus.Bus.SubscribeAsync(subject, null, _ => { Interlocked.Increment(ref calls); return ValueTask.CompletedTask; });
        await bus.Bus.PublishAsync(subject, "1"u8.ToArray());
        await Eventually.TrueAsync(() => calls == 1, Wait, "the first message arrives");
        await sub.DisposeAsync();
        await bus.Connection.PingAsync();
        await bus.Bus.PublishAsync(subject, "2"u8.ToArray());
        await bus.Connection.PingAsync();
        await Task.Delay(200);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task A_slow_subscription_drops_what_exceeds_its_queue_and_counts_every_drop()
    {
        // The library drops the newest message when a subscription's queue is full (we keep that) and logs; the adapter
        // also counts each drop (liveim_bus_dropped_total). A small queue here makes the overflow quick to reach; the
        // product's queue size is checked below.
        Assert.Equal(NatsBusOptions.SubscriptionCapacity, NatsBusOptions.Create(new BusSettings(), "x", Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).SubPendingChannelCapacity);
        await using var publisher = await TestBus.StartAsync(_nats.Url);
        await using var slow = await TestBus.StartAsync(_nats.Url, change: o => o with { SubPendingChannelCapacity = 16 });
        var subject = NatsServerFixture.Subject("slow");
        using var release = new SemaphoreSlim(0);
        var handled = 0;
        await using var sub = await slow.Bus.SubscribeAsync(subject, null, async _ =>
        {
            await release.WaitAsync();
            Interlocked.Increment(ref handled);
        });

        const int sent = 500;
        for (var i = 0; i < sent; i++)
        {
            await publisher.Bus.PublishAsync(subject, "m"u8.ToArray());
        }

        // Every publish has reached the server once the publisher's ping returns; the server queued them to the slow
        // connection before its PONG to the slow connection's own ping, so once that returns every message has been
        // read and either queued or dropped; releasing the handler earlier would let late arrivals find room.
        await publisher.Connection.PingAsync();
        await slow.Connection.PingAsync();
        await Eventually.TrueAsync(() => slow.Bus.Dropped > 0, Wait, "the slow subscription drops");
        release.Release(sent);
        await Eventually.TrueAsync(() => handled + slow.Bus.Dropped == sent, Wait, "every message is either handled or counted as dropped");
        Assert.InRange(handled, 16, 18); // the queue, plus the one in the handler when it filled
        Assert.Equal(slow.Bus.Dropped, slow.Counter("liveim.bus.dropped"));
    }

    [Fact]
    public async Task A_payload_over_the_servers_limit_is_the_callers_error_not_unavailable()
    {
        await using var bus = await TestBus.StartAsync(_nats.Url);
        var tooBig = new byte[2 * 1024 * 1024]; // nats-server's max_payload is 1 MB by default
        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await bus.Bus.PublishAsync(NatsServerFixture.Subject("big"), tooBig));
        Assert.IsNotType<BusUnavailableException>(error);
        await bus.Bus.PublishAsync(NatsServerFixture.Subject("small"), "fine"u8.ToArray()); // the connection stays usable
        Assert.True(bus.Bus.IsConnected);
    }
}
