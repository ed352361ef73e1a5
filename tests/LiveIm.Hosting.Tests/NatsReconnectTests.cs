using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Core.Bus;
using LiveIm.Hosting.Bus;
using LiveIm.Hosting.Health;
using LiveIm.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;

namespace LiveIm.Hosting.Tests;

/// <summary>
/// The bus when its server goes away: killed and restarted, stopped with its socket open (SIGSTOP). Each test has a
/// server of its own (it stops it).
/// </summary>
public sealed class NatsReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartNewAsync();

    public Task DisposeAsync() => _server.DisposeAsync().AsTask();

    [Fact]
    public async Task While_the_server_is_down_publish_request_and_subscribe_fail_at_once_and_everything_comes_back_after_it_restarts()
    {
        await using var publisher = await TestBus.StartAsync(_server.Url, "publisher");
        await using var subscriber = await TestBus.StartAsync(_server.Url, "subscriber");
        var changes = new ConcurrentQueue<bool>();
        subscriber.Bus.ConnectionChanged += (_, connected) => changes.Enqueue(connected);
        var plain = 0;
        var queued = 0;
        await using var plainSub = await subscriber.Bus.SubscribeAsync("restart.events", null, _ => { Interlocked.Increment(ref plain); return ValueTask.CompletedTask; });
        await using var queueSub = await subscriber.Bus.SubscribeAsync("restart.events", "q", _ => { Interlocked.Increment(ref queued); return ValueTask.CompletedTask; });
        await using var service = await subscriber.Bus.SubscribeAsync("restart.service", "svc", async m =>
            await subscriber.Bus.PublishAsync(m.ReplyTo!, "pong"u8.ToArray()));
        await publisher.Bus.PublishAsync("restart.events", "before"u8.ToArray());
        await Eventually.TrueAsync(() => plain == 1 && queued == 1, Wait, "messages flow before the restart");

        await _server.StopAsync();
        await Eventually.TrueAsync(() => !subscriber.Bus.IsConnected && !publisher.Bus.IsConnected, Wait, "both notice the loss");

        // The library would buffer these until the connection is back; the adapter fails them at once.
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<BusUnavailableException>(async () => await publisher.Bus.PublishAsync("restart.events", "lost"u8.ToArray()));
        await Assert.ThrowsAsync<BusUnavailableException>(() => publisher.Bus.RequestAsync("restart.service", "ping"u8.ToArray(), TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<BusUnavailableException>(async () => await publisher.Bus.SubscribeAsync("restart.other", null, _ => ValueTask.CompletedTask));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(100), $"the three failures took {watch.Elapsed}");

        await _server.StartAsync();
        await Eventually.TrueAsync(() => subscriber.Bus.IsConnected && publisher.Bus.IsConnected, Wait, "both reconnect");
        // (The first connect's event may still arrive after the handler was added: leading trues are that.)
        await Eventually.TrueAsync(() => changes.SkipWhile(c => c).Count() >= 2, Wait, "ConnectionChanged reports the loss and the return");
        Assert.Equal([false, true], changes.SkipWhile(c => c));

        // The client re-sent the subscriptions, the queue group's and the service's too.
        await publisher.Bus.PublishAsync("restart.events", "after"u8.ToArray());
        await Eventually.TrueAsync(() => plain == 2 && queued == 2, Wait, "the plain and the queue subscription receive again");
        var reply = await publisher.Bus.RequestAsync("restart.service", "ping"u8.ToArray(), TimeSpan.FromSeconds(2));
        Assert.Equal("pong"u8.ToArray(), reply.ToArray());
        Assert.Equal(2, plain); // "lost" was never sent later
    }

    [Fact]
    public async Task A_restarted_server_is_reconnected_to_within_a_second()
    {
        // The library waits 2 s after a failed reconnect attempt (ReconnectWaitMin); with ours (50 ms, doubling) a
        // server back after 300 ms is reconnected within a few hundred ms of its return.
        await using var bus = await TestBus.StartAsync(_server.Url);
        await _server.StopAsync();
        await Eventually.TrueAsync(() => !bus.Bus.IsConnected, Wait, "the loss is noticed");
        await Task.Delay(300);
        await _server.StartAsync();
        var watch = Stopwatch.StartNew();
        await Eventually.TrueAsync(() => bus.Bus.IsConnected, Wait, "reconnects");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"reconnected {watch.Elapsed} after the server was back");
    }

    [Fact]
    public async Task A_request_waiting_for_its_reply_fails_when_the_connection_is_lost_not_at_its_timeout()
    {
        await using var client = await TestBus.StartAsync(_server.Url, "client");
        await using var silent = await TestBus.StartAsync(_server.Url, "silent");
        await using var sub = await silent.Bus.SubscribeAsync("restart.silent", null, _ => ValueTask.CompletedTask);
        var request = client.Bus.RequestAsync("restart.silent", "x"u8.ToArray(), TimeSpan.FromSeconds(20));
        await Task.Delay(100);
        var watch = Stopwatch.StartNew();
        await _server.StopAsync();
        var error = await Assert.ThrowsAsync<BusUnavailableException>(() => request);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"failed {watch.Elapsed} after the loss");
        Assert.Contains("lost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_server_fails_sends_within_bounded_times_readiness_says_so_and_all_recovers_after_it_continues()
    {
        await using var client = await TestBus.StartAsync(_server.Url, "client");
        await using var service = await TestBus.StartAsync(_server.Url, "service");
        await using var sub = await service.Bus.SubscribeAsync("stop.svc", "svc", async m => await service.Bus.PublishAsync(m.ReplyTo!, "ok"u8.ToArray()));
        var health = new BusHealthCheck(client.Bus);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        await _server.PauseAsync();
        try
        {
            // The socket stays open: the client still thinks it is connected, yet a request fails after its timeout...
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsAsync<BusUnavailableException>(() => client.Bus.RequestAsync("stop.svc", "x"u8.ToArray(), TimeSpan.FromMilliseconds(500)));
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2));

            // ...readiness says so within its PING deadline...
            watch.Restart();
            var result = await health.CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("not answering", result.Description, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < BusHealthCheck.PingTimeout + TimeSpan.FromMilliseconds(500), $"the check took {watch.Elapsed}");

            // ...and a publisher that fills the socket and the client's buffer fails after CommandTimeout (2 s)
            // instead of waiting for the server (the library's default waits 5 s).
            var chunk = new byte[512 * 1024];
            watch.Restart();
            var error = await Assert.ThrowsAsync<BusUnavailableException>(async () =>
            {
                while (watch.Elapsed < TimeSpan.FromSeconds(20))
                {
                    await client.Bus.PublishAsync("stop.flood", chunk);
                }
            });
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the publisher was stuck {watch.Elapsed}: {error.Message}");
        }
        finally
        {
            await _server.ResumeAsync();
        }

        await Eventually.TrueAsync(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy, Wait, "ready again");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await client.Bus.RequestAsync("stop.svc", "x"u8.ToArray(), TimeSpan.FromSeconds(1))).Length == 2;
            }
            catch (BusUnavailableException)
            {
                return false;
            }
        }, Wait, "requests work again without restarting anything");
    }

    [Fact]
    public async Task A_server_stopped_for_good_is_given_up_on_within_30_seconds_and_reconnected_when_it_continues()
    {
        // The library PINGs every 2 min (a stuck server holds the connection for 4-6 min); ours every 10 s, two unanswered.
        await using var bus = await TestBus.StartAsync(_server.Url);
        var watch = Stopwatch.StartNew();
        await _server.PauseAsync();
        try
        {
            await Eventually.TrueAsync(() => !bus.Bus.IsConnected, TimeSpan.FromSeconds(35), "the stale connection is dropped");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(31), $"dropped after {watch.Elapsed}");
        }
        finally
        {
            await _server.ResumeAsync();
        }

        await Eventually.TrueAsync(() => bus.Bus.IsConnected, Wait, "reconnects once the server runs again");
    }
}
