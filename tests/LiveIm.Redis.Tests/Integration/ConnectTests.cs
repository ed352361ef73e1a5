using System.Diagnostics;
using LiveIm.Redis.Tests.Support;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class ConnectTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task An_unreachable_server_fails_connect_within_the_connect_timeout()
    {
        var endPoint = $"127.0.0.1:{FreePort.Next()}";
        await using var client = new RedisClient(Clients.Options(endPoint, connectTimeout: TimeSpan.FromMilliseconds(300)));
        var changes = new List<RedisConnectionState>();
        client.StateChanged += (_, e) => changes.Add(e.NewState);

        var started = Stopwatch.GetTimestamp();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ConnectAsync());
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2));
        Assert.Contains(endPoint, ex.Message, StringComparison.Ordinal);
        Assert.Equal(RedisConnectionState.Disconnected, client.State);
        Assert.Equal([RedisConnectionState.Connecting, RedisConnectionState.Disconnected], changes);
    }

    [Fact]
    public async Task Connect_succeeds_once_a_late_server_comes_up_within_the_timeout()
    {
        var server = new RedisServer();
        await using (server)
        {
            await using var client = new RedisClient(Clients.Options(server.EndPoint, connectTimeout: TimeSpan.FromSeconds(5)));
            var connecting = client.ConnectAsync();
            await Task.Delay(200);
            await server.StartAsync();
            await connecting;
            await client.PingAsync();
        }
    }

    [Fact]
    public async Task Commands_before_connect_fail_at_once()
    {
        await using var client = new RedisClient(Clients.Options(fixture.Server.EndPoint));
        var started = Stopwatch.GetTimestamp();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("k"));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(100));
        Assert.Contains("Disconnected", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_is_idempotent_and_reports_each_state_once()
    {
        await using var client = new RedisClient(Clients.Options(fixture.Server.EndPoint));
        var changes = new List<(RedisConnectionState, RedisConnectionState)>();
        client.StateChanged += (_, e) => changes.Add((e.OldState, e.NewState));

        await Task.WhenAll(client.ConnectAsync(), client.ConnectAsync());
        await client.ConnectAsync();
        await client.DisposeAsync();

        Assert.Equal(
            [
                (RedisConnectionState.Disconnected, RedisConnectionState.Connecting),
                (RedisConnectionState.Connecting, RedisConnectionState.Connected),
                (RedisConnectionState.Connected, RedisConnectionState.Closed),
            ],
            changes);
    }

    [Fact]
    public async Task Dispose_fails_commands_in_flight_and_later_commands_as_disposed()
    {
        var client = await fixture.ConnectAsync();
        var blocked = client.ExecuteAsync("BLPOP", Clients.Key("never"), 30);
        await Eventually.TrueAsync(() => client.PendingCount == 1, TimeSpan.FromSeconds(5), "BLPOP is written");

        await client.DisposeAsync();

        await Assert.ThrowsAsync<RedisConnectionException>(() => blocked);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.PingAsync());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ConnectAsync());
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Cancelling_a_wait_does_not_shift_replies()
    {
        await using var client = await fixture.ConnectAsync();
        var key = Clients.Key("cancel");
        await client.SetAsync(key, "mine");

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.ExecuteAsync("BLPOP", [Clients.Key("never"), "0.3"], cts.Token));

        Assert.Equal("mine", (await client.GetAsync(key)).AsString());
    }

    [Fact]
    public void Options_with_a_malformed_end_point_are_rejected_up_front()
    {
        Assert.Throws<ArgumentException>(() => new RedisClient(new RedisOptions { EndPoint = "no-port" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RedisClient(new RedisOptions { CommandTimeout = TimeSpan.Zero }));
    }
}
