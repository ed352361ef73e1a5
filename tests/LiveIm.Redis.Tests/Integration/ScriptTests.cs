using LiveIm.Redis.Tests.Support;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class ScriptTests : IAsyncLifetime
{
    private static readonly RedisScript IncrementAndEcho = new(
        "local n = redis.call('INCRBY', KEYS[1], ARGV[1]) return {n, ARGV[2]}");

    private RedisServer _server = null!;
    private RedisClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartNewAsync();
        _client = await Clients.ConnectAsync(Clients.Options(_server.EndPoint));
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Our_digest_matches_the_one_the_server_computes()
    {
        var loaded = await _client.ExecuteAsync("SCRIPT", "LOAD", IncrementAndEcho.Source);
        Assert.Equal(IncrementAndEcho.Sha1, loaded.AsString());
    }

    [Fact]
    public async Task Eval_of_an_unknown_script_falls_back_to_eval_and_caches_it()
    {
        var key = Clients.Key("script");
        Assert.False(await IsCachedAsync());

        var first = await _client.EvalAsync(IncrementAndEcho, [key], [5, "echo"]);
        Assert.Equal("[5, echo]", first.ToString());
        Assert.True(await IsCachedAsync());

        var second = await _client.EvalAsync(IncrementAndEcho, [key], [2, "again"]);
        Assert.Equal("[7, again]", second.ToString());
    }

    [Fact]
    public async Task Eval_reloads_the_script_after_script_flush()
    {
        var key = Clients.Key("flush");
        await _client.EvalAsync(IncrementAndEcho, [key], [1, "a"]);
        await _client.ExecuteAsync("SCRIPT", "FLUSH");
        Assert.False(await IsCachedAsync());

        Assert.Equal("[2, b]", (await _client.EvalAsync(IncrementAndEcho, [key], [1, "b"])).ToString());
        Assert.True(await IsCachedAsync());
    }

    [Fact]
    public async Task Eval_reloads_the_script_after_a_server_restart_empties_the_cache()
    {
        var key = Clients.Key("restart");
        await _client.EvalAsync(IncrementAndEcho, [key], [1, "before"]);

        await _server.RestartAsync(TimeSpan.FromMilliseconds(100));
        await Eventually.TrueAsync(() => _client.State == RedisConnectionState.Connected, TimeSpan.FromSeconds(10), "the client reconnects");
        Assert.False(await IsCachedAsync());

        // The server has no persistence, so the counter starts over too.
        Assert.Equal("[1, after]", (await _client.EvalAsync(IncrementAndEcho, [key], [1, "after"])).ToString());
        Assert.True(await IsCachedAsync());
    }

    [Fact]
    public async Task A_script_error_is_a_server_exception_not_a_reload_loop()
    {
        var broken = new RedisScript("return redis.call('NOSUCHCOMMAND')");
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => _client.EvalAsync(broken, [], []));
        Assert.Equal("ERR", ex.Prefix);
        await _client.PingAsync();
    }

    private async Task<bool> IsCachedAsync() =>
        (await _client.ExecuteAsync("SCRIPT", "EXISTS", IncrementAndEcho.Sha1)).AsArray()[0].AsInt64() == 1;
}
