using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Nats.Tests.Infrastructure;
using LiveIm.Testing;

namespace LiveIm.Nats.Tests.Integration;

/// <summary>Restarts its server, so it has one of its own rather than a shared fixture.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private NatsServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await NatsServer.StartNewAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Server_restart_while_publishing_and_subscribing_reconnects_and_resumes_subscriptions()
    {
        var logs = new TestLoggerFactory();
        var events = new ConcurrentQueue<NatsConnectionStateChangedEventArgs>();
        await using var publisher = new NatsConnection(TestOptions.For(_server.Url));
        await using var subscriber = new NatsConnection(TestOptions.For(_server.Url).With(loggerFactory: logs));
        await publisher.ConnectAsync();
        await subscriber.ConnectAsync();
        subscriber.StateChanged += (_, e) => events.Enqueue(e);

        var plain = new Received();
        var queued = new Received();
        await using var plainSub = await subscriber.SubscribeAsync("restart.events", null, plain.Handle);
        await using var queueSub = await subscriber.SubscribeAsync("restart.events", "q", queued.Handle);
        var limited = await subscriber.SubscribeAsync("restart.limited", null, _ => default);
        await limited.UnsubscribeAsync(maxMessages: 1000);
        await subscriber.FlushAsync();

        // Publish continuously; while the server is down each publish must fail at once, never hang.
        using var stop = new CancellationTokenSource();
        var notConnected = 0;
        var slowestFailure = TimeSpan.Zero;
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var watch = Stopwatch.StartNew();
                try
                {
                    await publisher.PublishAsync("restart.events", "e"u8.ToArray());
                }
                catch (NatsNotConnectedException)
                {
                    notConnected++;
                    slowestFailure = watch.Elapsed > slowestFailure ? watch.Elapsed : slowestFailure;
                }

                await Task.Delay(2);
            }
        });

        await Eventually.TrueAsync(() => plain.Count > 10 && queued.Count > 10, Wait, "messages flow before the restart");
        var restart = _server.RestartAsync(TimeSpan.FromMilliseconds(500));
        await Eventually.TrueAsync(() => subscriber.State == NatsConnectionState.Reconnecting, Wait, "the subscriber notices the loss");

        var downWatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<NatsNotConnectedException>(async () => await subscriber.PublishAsync("restart.events", default));
        await Assert.ThrowsAsync<NatsNotConnectedException>(() => subscriber.RequestAsync("restart.request", default));
        Assert.True(downWatch.Elapsed < TimeSpan.FromMilliseconds(100), $"publish during downtime took {downWatch.Elapsed}");

        await restart;
        await Eventually.TrueAsync(() => subscriber.State == NatsConnectionState.Connected, Wait, "the subscriber reconnects");
        await Eventually.TrueAsync(() => publisher.State == NatsConnectionState.Connected, Wait, "the publisher reconnects");
        var plainBefore = plain.Count;
        var queuedBefore = queued.Count;
        await Eventually.TrueAsync(
            () => plain.Count > plainBefore + 10 && queued.Count > queuedBefore + 10, Wait, "subscriptions resumed after the restart");

        await stop.CancelAsync();
        await publishing;

        Assert.True(notConnected > 0, "some publishes hit the downtime");
        Assert.True(slowestFailure < TimeSpan.FromMilliseconds(100), $"slowest NotConnected took {slowestFailure}");
        var transitions = events.Select(e => (e.OldState, e.NewState)).ToList();
        Assert.Equal(
            [(NatsConnectionState.Connected, NatsConnectionState.Reconnecting), (NatsConnectionState.Reconnecting, NatsConnectionState.Connected)],
            transitions);
        Assert.NotNull(events.First().Error);
        Assert.Equal(_server.Url, events.Last().ServerUrl);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 2 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 3 && e.Message.Contains("downtime", StringComparison.Ordinal));

        // The server got every subscription back, with the same sids, the queue group and the auto-unsubscribe.
        var connz = await _server.MonitorAsync("connz?subs=1");
        Assert.Contains("restart.events", connz, StringComparison.Ordinal);
        Assert.Contains("restart.limited", connz, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pending_request_fails_when_the_connection_is_lost()
    {
        await using var connection = new NatsConnection(TestOptions.For(_server.Url));
        await connection.ConnectAsync();
        await using var silent = await connection.SubscribeAsync("restart.silent", null, _ => default);
        await connection.FlushAsync();

        var request = connection.RequestAsync("restart.silent", default, TimeSpan.FromSeconds(10));
        await _server.StopAsync();

        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<NatsNotConnectedException>(() => request);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2));
        await _server.StartAsync();
        await Eventually.TrueAsync(() => connection.State == NatsConnectionState.Connected, Wait, "reconnects");
    }
}
