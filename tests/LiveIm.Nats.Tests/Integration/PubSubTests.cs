using System.Text;
using LiveIm.Nats.Tests.Infrastructure;
using LiveIm.Testing;

namespace LiveIm.Nats.Tests.Integration;

public class PubSubTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Published_messages_reach_a_subscriber_in_order()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        await using var subscription = await connection.SubscribeAsync("pubsub.order", null, received.Handle);
        await connection.FlushAsync();

        for (var i = 0; i < 1000; i++)
        {
            await connection.PublishAsync("pubsub.order", Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        await Eventually.TrueAsync(() => received.Count == 1000, Wait, "1000 messages arrive");
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received.Texts);
        Assert.Equal(1000, subscription.Received);
        Assert.Equal(0, subscription.Dropped);
    }

    [Fact]
    public async Task Wildcard_subscription_receives_subject_and_reply_to()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        await using var subscription = await connection.SubscribeAsync("pubsub.wild.*", null, received.Handle);
        await connection.FlushAsync();

        await connection.PublishAsync("pubsub.wild.a", "x"u8.ToArray(), replyTo: "pubsub.reply");

        await Eventually.TrueAsync(() => received.Count == 1, Wait, "message arrives");
        var msg = Assert.Single(received.Messages);
        Assert.Equal("pubsub.wild.a", msg.Subject);
        Assert.Equal("pubsub.reply", msg.ReplyTo);
        Assert.Null(msg.Headers);
    }

    [Fact]
    public async Task Publish_reaches_queue_group_member_once()
    {
        await using var publisher = await fixture.ConnectAsync();
        await using var memberA = await fixture.ConnectAsync();
        await using var memberB = await fixture.ConnectAsync();
        var a = new Received();
        var b = new Received();
        var plain = new Received();
        await using var subA = await memberA.SubscribeAsync("pubsub.queue", "workers", a.Handle);
        await using var subB = await memberB.SubscribeAsync("pubsub.queue", "workers", b.Handle);
        await using var subPlain = await memberB.SubscribeAsync("pubsub.queue", null, plain.Handle);
        await memberA.FlushAsync();
        await memberB.FlushAsync();

        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync("pubsub.queue", BitConverter.GetBytes(i));
        }

        await Eventually.TrueAsync(() => a.Count + b.Count == 200 && plain.Count == 200, Wait, "all delivered");
        await publisher.FlushAsync();
        await Task.Delay(50);
        Assert.Equal(200, a.Count + b.Count);
        Assert.Empty(a.Messages.Select(m => m.Data.ToArray()).Intersect(b.Messages.Select(m => m.Data.ToArray()), new BytesComparer()));
        Assert.Equal("workers", subA.QueueGroup);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        var subscription = await connection.SubscribeAsync("pubsub.unsub", null, received.Handle);
        await connection.FlushAsync();
        await connection.PublishAsync("pubsub.unsub", "1"u8.ToArray());
        await Eventually.TrueAsync(() => received.Count == 1, Wait, "first message");

        await subscription.UnsubscribeAsync();
        await connection.PublishAsync("pubsub.unsub", "2"u8.ToArray());
        await connection.FlushAsync();
        await Task.Delay(100);

        Assert.Equal(["1"], received.Texts);
        var connz = await fixture.Server.MonitorAsync("subsz?subs=1");
        Assert.DoesNotContain("pubsub.unsub", connz, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_with_max_delivers_exactly_max_messages()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        var subscription = await connection.SubscribeAsync("pubsub.max", null, received.Handle);
        await connection.FlushAsync();
        await connection.PublishAsync("pubsub.max", "0"u8.ToArray());
        await Eventually.TrueAsync(() => received.Count == 1, Wait, "first message");

        await subscription.UnsubscribeAsync(maxMessages: 3);
        for (var i = 1; i < 10; i++)
        {
            await connection.PublishAsync("pubsub.max", Encoding.UTF8.GetBytes($"{i}"));
        }

        await connection.FlushAsync();
        await Eventually.TrueAsync(() => received.Count >= 3, Wait, "three messages");
        await Task.Delay(100);

        Assert.Equal(["0", "1", "2"], received.Texts);
        Assert.Equal(0, connection.SubscriptionCount);
    }

    [Fact]
    public async Task Headers_round_trip_through_HPUB_and_HMSG()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        await using var subscription = await connection.SubscribeAsync("pubsub.headers", null, received.Handle);
        await connection.FlushAsync();
        var headers = new NatsHeaders { { "Trace-Id", "t-1" }, { "Multi", "a" }, { "Multi", "b" } };

        await connection.PublishAsync("pubsub.headers", "body"u8.ToArray(), headers: headers);
        await connection.PublishAsync("pubsub.headers", default, headers: new NatsHeaders { { "Only", "headers" } });

        await Eventually.TrueAsync(() => received.Count == 2, Wait, "both messages");
        var first = received.Messages.First();
        Assert.Equal("body", Encoding.UTF8.GetString(first.Data.Span));
        Assert.Equal(headers.ToList(), first.Headers!.ToList());
        Assert.Equal(["a", "b"], first.Headers!.GetValues("Multi"));
        var second = received.Messages.Last();
        Assert.True(second.Data.IsEmpty);
        Assert.Equal("headers", second.Headers!["Only"]);
    }

    [Fact]
    public async Task No_echo_connection_does_not_receive_its_own_messages()
    {
        await using var quiet = await fixture.ConnectAsync(o => o.With(noEcho: true));
        await using var other = await fixture.ConnectAsync();
        var own = new Received();
        var others = new Received();
        await using var quietSub = await quiet.SubscribeAsync("pubsub.echo", null, own.Handle);
        await using var otherSub = await other.SubscribeAsync("pubsub.echo", null, others.Handle);
        await quiet.FlushAsync();
        await other.FlushAsync();

        await quiet.PublishAsync("pubsub.echo", "from-quiet"u8.ToArray());
        await other.PublishAsync("pubsub.echo", "from-other"u8.ToArray());

        await Eventually.TrueAsync(() => others.Count == 2 && own.Count == 1, Wait, "deliveries");
        await quiet.FlushAsync();
        Assert.Equal(["from-other"], own.Texts);
    }

    [Fact]
    public async Task Payload_too_large_is_rejected_before_writing_and_the_connection_stays_usable()
    {
        await using var connection = await fixture.ConnectAsync();
        var received = new Received();
        await using var subscription = await connection.SubscribeAsync("pubsub.large", null, received.Handle);
        await connection.FlushAsync();

        await Assert.ThrowsAsync<NatsPayloadTooLargeException>(
            async () => await connection.PublishAsync("pubsub.large", new byte[connection.MaxPayload + 1]));
        await Assert.ThrowsAsync<NatsPayloadTooLargeException>(
            async () => await connection.PublishAsync(
                "pubsub.large", new byte[connection.MaxPayload - 4], headers: new NatsHeaders { { "A", "b" } }));
        await connection.PublishAsync("pubsub.large", new byte[connection.MaxPayload]);

        await Eventually.TrueAsync(() => received.Count == 1, Wait, "the max-size message arrives");
        Assert.Equal(connection.MaxPayload, received.Messages.Single().Data.Length);
        Assert.Equal(NatsConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task Invalid_subjects_are_rejected()
    {
        await using var connection = await fixture.ConnectAsync();

        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.PublishAsync("", default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.PublishAsync("a b", default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.PublishAsync("a.*", default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.PublishAsync("a.>", default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.PublishAsync("a", default, replyTo: "r x"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.SubscribeAsync("a\r\nPUB b 0", null, _ => default));
        await Assert.ThrowsAsync<ArgumentException>(async () => await connection.SubscribeAsync("a", "q g", _ => default));
        await connection.PingAsync();
    }

    [Fact]
    public async Task Handler_exception_is_logged_and_the_subscription_continues()
    {
        var logs = new TestLoggerFactory();
        await using var connection = await fixture.ConnectAsync(o => o.With(loggerFactory: logs));
        var handled = new Received();
        await using var subscription = await connection.SubscribeAsync("pubsub.throw", null, async msg =>
        {
            await handled.Handle(msg);
            if (msg.Data.Span[0] == (byte)'!')
            {
                throw new InvalidOperationException("handler bug");
            }
        });
        await connection.FlushAsync();

        await connection.PublishAsync("pubsub.throw", "!"u8.ToArray());
        await connection.PublishAsync("pubsub.throw", "ok"u8.ToArray());

        await Eventually.TrueAsync(() => handled.Count == 2, Wait, "both handled");
        Assert.Contains(logs.Entries, e => e.EventId.Id == 8 && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Slow_handler_drops_and_counts_beyond_capacity_without_stalling_other_subscriptions()
    {
        await using var connection = await fixture.ConnectAsync(o => o.With(channelCapacity: 10));
        var gate = new TaskCompletionSource();
        var fast = new Received();
        var slowHandled = 0;
        await using var slow = await connection.SubscribeAsync("pubsub.slow", null, async _ =>
        {
            await gate.Task;
            Interlocked.Increment(ref slowHandled);
        });
        await using var quick = await connection.SubscribeAsync("pubsub.slow", null, fast.Handle);
        await connection.FlushAsync();

        // Batches of 10 fit the fast subscription's capacity; the slow one is stuck in its first message.
        for (var batch = 1; batch <= 10; batch++)
        {
            for (var i = 0; i < 10; i++)
            {
                await connection.PublishAsync("pubsub.slow", "m"u8.ToArray());
            }

            await Eventually.TrueAsync(() => fast.Count == batch * 10, Wait, $"the fast subscription keeps up (batch {batch})");
        }

        await Eventually.TrueAsync(() => slow.Received + slow.Dropped == 100, Wait, "the slow one accounts for everything");
        // One message in the handler plus a full channel of 10; the rest are dropped and counted.
        Assert.Equal(11, slow.Received);
        Assert.Equal(89, slow.Dropped);
        Assert.Equal(0, quick.Dropped);
        gate.SetResult();
        await Eventually.TrueAsync(() => Volatile.Read(ref slowHandled) == slow.Received, Wait, "queued ones are handled");
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => BitConverter.ToInt32(obj);
    }
}
