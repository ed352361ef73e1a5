using LiveIm.Redis.Tests.Support;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class ProtocolFaultTests
{
    [Fact]
    public async Task Garbage_from_the_server_drops_the_connection_and_the_client_reconnects()
    {
        await using var server = new ScriptedRedisServer((connection, command) => (connection, command[0]) switch
        {
            (_, "CLIENT") => "+OK\r\n",
            (0, "GET") => "!not resp\r\n",
            (_, "GET") => "$2\r\nok\r\n",
            _ => "-ERR unexpected\r\n",
        });
        var logs = new CapturingLoggerFactory();
        await using var client = await Clients.ConnectAsync(Clients.Options(server.EndPoint, loggerFactory: logs));

        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("k"));
        Assert.IsType<RedisProtocolException>(ex.InnerException);

        await Eventually.TrueAsync(() => client.State == RedisConnectionState.Connected && server.Connections == 2, TimeSpan.FromSeconds(5), "the client reconnects");
        Assert.Equal("ok", (await client.GetAsync("k")).AsString());
        Assert.Contains(logs.Entries, e => e.EventId.Id == 6 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task A_reply_nobody_asked_for_is_a_protocol_error()
    {
        await using var server = new ScriptedRedisServer((connection, command) => (connection, command[0]) switch
        {
            (_, "CLIENT") => "+OK\r\n",
            (0, "PING") => "+PONG\r\n+PONG\r\n",
            (_, "PING") => "+PONG\r\n",
            _ => "-ERR unexpected\r\n",
        });
        await using var client = await Clients.ConnectAsync(Clients.Options(server.EndPoint));
        var lost = new TaskCompletionSource<Exception?>();
        client.StateChanged += (_, e) =>
        {
            if (e.NewState == RedisConnectionState.Reconnecting)
            {
                lost.TrySetResult(e.Error);
            }
        };

        await client.PingAsync();
        var reason = await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.IsType<RedisProtocolException>(reason);

        await Eventually.TrueAsync(() => client.State == RedisConnectionState.Connected, TimeSpan.FromSeconds(5), "the client reconnects");
        await client.PingAsync();
    }

    [Fact]
    public async Task A_server_that_hangs_up_mid_reply_fails_the_command_and_the_client_reconnects()
    {
        await using var server = new ScriptedRedisServer((connection, command) => (connection, command[0]) switch
        {
            (_, "CLIENT") => "+OK\r\n",
            (0, "GET") => "$10\r\nabc" + ScriptedRedisServer.HangUp,
            (_, "GET") => "$10\r\nabcdefghij\r\n",
            _ => "-ERR unexpected\r\n",
        });
        await using var client = await Clients.ConnectAsync(Clients.Options(server.EndPoint));

        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.GetAsync("k"));
        Assert.IsType<RedisProtocolException>(ex.InnerException);
        Assert.Contains("middle of a reply", ex.Message, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => client.State == RedisConnectionState.Connected && server.Connections == 2, TimeSpan.FromSeconds(5), "the client reconnects");
        Assert.Equal("abcdefghij", (await client.GetAsync("k")).AsString());
    }
}
