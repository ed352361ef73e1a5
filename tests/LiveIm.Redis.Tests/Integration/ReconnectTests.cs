using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Redis.Tests.Support;
using LiveIm.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

/// <summary>Each test owns its server, because each test kills it.</summary>
public sealed class ReconnectTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly CapturingLoggerFactory _logs = new();
    private readonly ConcurrentQueue<RedisConnectionStateChangedEventArgs> _changes = new();
    private RedisServer _server = null!;
    private RedisClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartNewAsync();
        _client = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, loggerFactory: _logs));
        _client.StateChanged += (_, e) => _changes.Enqueue(e);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Commands_during_downtime_fail_fast_and_work_again_after_the_restart()
    {
        var key = Clients.Key("restart");
        await _client.SetAsync(key, "before");

        await _server.StopAsync();
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Reconnecting, Patience, "the client notices the loss");

        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await Assert.ThrowsAsync<RedisConnectionException>(() => _client.GetAsync(key));
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(100), "a command while down fails fast");
        }

        await _server.StartAsync();
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Connected, Patience, "the client reconnects");

        await _client.SetAsync(key, "after");
        Assert.Equal("after", (await _client.GetAsync(key)).AsString());

        var transitions = _changes.Select(c => (c.OldState, c.NewState)).ToList();
        Assert.Equal(
            [(RedisConnectionState.Connected, RedisConnectionState.Reconnecting), (RedisConnectionState.Reconnecting, RedisConnectionState.Connected)],
            transitions);
        Assert.NotNull(_changes.First().Error);
    }

    [Fact]
    public async Task Commands_in_flight_when_the_socket_dies_fail_with_a_connection_exception()
    {
        // BLPOP keeps the commands waiting on the server, so they are surely in flight when it dies.
        var inFlight = Enumerable.Range(0, 50)
            .Select(_ => _client.ExecuteAsync("BLPOP", Clients.Key("never"), 30))
            .ToList();
        await Eventually.TrueAsync(() => _client.PendingCount == 50, Patience, "all commands are written");

        await _server.StopAsync();

        foreach (var command in inFlight)
        {
            var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => command);
            Assert.Contains("BLPOP", ex.Message, StringComparison.Ordinal);
        }

        await _server.StartAsync();
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Connected, Patience, "the client reconnects");
        await _client.PingAsync();
    }

    [Fact]
    public async Task Disconnect_is_logged_as_a_warning_and_reconnect_as_information_with_the_downtime()
    {
        await _server.RestartAsync(TimeSpan.FromMilliseconds(300));
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Connected && _changes.Count == 2, Patience, "the client reconnects");

        var lost = Assert.Single(_logs.Entries, e => e.EventId.Id == 3);
        Assert.Equal(LogLevel.Warning, lost.Level);
        Assert.Contains(_server.EndPoint, lost.Message, StringComparison.Ordinal);
        Assert.Contains(_changes.First().Error!.Message, lost.Message, StringComparison.Ordinal);

        var back = Assert.Single(_logs.Entries, e => e.EventId.Id == 4);
        Assert.Equal(LogLevel.Information, back.Level);
        Assert.Matches(@"after \d+ ms of downtime", back.Message);
        var downtimeMs = long.Parse(System.Text.RegularExpressions.Regex.Match(back.Message, @"after (\d+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(downtimeMs, 250, 10_000);
    }

    [Fact]
    public async Task The_client_survives_repeated_restarts()
    {
        var key = Clients.Key("repeat");
        for (var round = 1; round <= 3; round++)
        {
            await _server.RestartAsync(TimeSpan.FromMilliseconds(50));
            await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Connected, Patience, $"reconnect #{round}");
            Assert.Equal(1, await _client.IncrAsync(key));
        }
    }

    [Fact]
    public async Task Dispose_stops_reconnecting_and_fails_later_commands_as_disposed()
    {
        await _server.StopAsync();
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Reconnecting, Patience, "the client notices the loss");

        await _client.DisposeAsync();
        Assert.Equal(RedisConnectionState.Closed, _client.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _client.PingAsync());

        await _server.StartAsync();
        await Task.Delay(300);
        Assert.Equal(RedisConnectionState.Closed, _client.State);
    }
}
