using LiveIm.Redis.Tests.Support;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class TimeoutTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task A_command_unanswered_in_time_times_out_and_its_late_reply_is_discarded()
    {
        await using var client = await Clients.ConnectAsync(
            Clients.Options(fixture.Server.EndPoint, commandTimeout: TimeSpan.FromSeconds(1)));
        var key = Clients.Key("timeout");
        await client.SetAsync(key, "value");

        // BLPOP answers nil after 2.5 s, long after our 1 s timeout. The timeout is generous so the
        // commands around it (SET, GET) never time out on a loaded CI machine.
        var ex = await Assert.ThrowsAsync<RedisTimeoutException>(() => client.ExecuteAsync("BLPOP", Clients.Key("empty"), "2.5"));
        Assert.Contains("BLPOP", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, client.PendingCount);

        // Once the late nil arrives it must be dropped, not handed to the next caller.
        await LiveIm.Testing.Eventually.TrueAsync(() => client.PendingCount == 0, TimeSpan.FromSeconds(5), "the late reply is consumed");
        Assert.Equal("value", (await client.GetAsync(key)).AsString());
        Assert.Equal(RedisConnectionState.Connected, client.State);
    }

    [Fact]
    public async Task A_command_queued_behind_a_timed_out_one_gets_its_own_reply()
    {
        // Deterministic ordering from a scripted server: the first command is answered only when
        // the second arrives, and then both replies are sent back to back.
        await using var server = new ScriptedRedisServer((_, command) => command[0] switch
        {
            "CLIENT" => "+OK\r\n",
            "SLOW" => null,
            "GET" => "$4\r\nlate\r\n$4\r\nmine\r\n",
            _ => "-ERR unexpected\r\n",
        });
        await using var client = await Clients.ConnectAsync(
            Clients.Options(server.EndPoint, commandTimeout: TimeSpan.FromMilliseconds(500)));

        await Assert.ThrowsAsync<RedisTimeoutException>(() => client.ExecuteAsync("SLOW"));
        Assert.Equal("mine", (await client.GetAsync("k")).AsString());
        Assert.Equal(0, client.PendingCount);
    }
}
