using System.Text;
using LiveIm.Redis.Tests.Support;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class ValuesAndErrorsTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private RedisClient _client = null!;

    public async Task InitializeAsync() => _client = await fixture.ConnectAsync();

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task A_one_megabyte_value_round_trips()
    {
        var key = Clients.Key("big");
        var value = new byte[1024 * 1024];
        Random.Shared.NextBytes(value);

        await _client.SetAsync(key, value);
        Assert.Equal(value, (await _client.GetAsync(key)).AsBytes());
        Assert.Equal(value.Length, (await _client.ExecuteAsync("STRLEN", key)).AsInt64());
    }

    [Fact]
    public async Task Values_and_keys_are_binary_safe()
    {
        var every = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var key = Encoding.UTF8.GetBytes(Clients.Key("bin")).Concat(every).ToArray();

        await _client.ExecuteAsync("SET", key, every);
        Assert.Equal(every, (await _client.ExecuteAsync("GET", key)).AsBytes());
        await _client.ExecuteAsync("SET", key, new ReadOnlyMemory<byte>(every, 10, 5));
        Assert.Equal(every[10..15], (await _client.ExecuteAsync("GET", key)).AsBytes());
    }

    [Fact]
    public async Task Empty_and_unicode_strings_round_trip()
    {
        var key = Clients.Key("text");
        await _client.SetAsync(key, string.Empty);
        var empty = await _client.GetAsync(key);
        Assert.False(empty.IsNull);
        Assert.Equal(string.Empty, empty.AsString());

        await _client.SetAsync(key, "直播 🎉 é\r\n");
        Assert.Equal("直播 🎉 é\r\n", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task A_wrongtype_error_surfaces_as_a_server_exception_and_the_connection_keeps_working()
    {
        var key = Clients.Key("wrongtype");
        await _client.SetAsync(key, "a string");

        var ex = await Assert.ThrowsAsync<RedisServerException>(() => _client.ExecuteAsync("LPUSH", key, "x"));
        Assert.Equal("WRONGTYPE", ex.Prefix);
        Assert.StartsWith("WRONGTYPE Operation against a key holding the wrong kind of value", ex.Message, StringComparison.Ordinal);

        Assert.Equal("a string", (await _client.GetAsync(key)).AsString());
        Assert.Equal(RedisConnectionState.Connected, _client.State);
    }

    [Fact]
    public async Task An_unknown_command_fails_with_err()
    {
        var ex = await Assert.ThrowsAsync<RedisServerException>(() => _client.ExecuteAsync("NOSUCHCOMMAND", "x"));
        Assert.Equal("ERR", ex.Prefix);
        await _client.PingAsync();
    }

    [Fact]
    public async Task Errors_mixed_into_a_pipelined_burst_reach_only_their_callers()
    {
        var stringKey = Clients.Key("burst");
        await _client.SetAsync(stringKey, "s");
        var counter = Clients.Key("burst-counter");

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 1000).Select(async i =>
        {
            if (i % 2 == 0)
            {
                var ex = await Assert.ThrowsAsync<RedisServerException>(() => _client.IncrAsync(stringKey));
                return ex.Prefix;
            }

            return (await _client.IncrAsync(counter)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }));

        Assert.Equal(500, outcomes.Count(o => o == "ERR"));
        Assert.Equal(Enumerable.Range(1, 500).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), outcomes.Where(o => o != "ERR").Order());
    }

    [Fact]
    public async Task Nested_replies_keep_their_types_including_errors_inside_arrays()
    {
        var reply = await _client.ExecuteAsync("EVAL", "return {1, 'two', {3, false}, redis.error_reply('BOOM inner')}", 0);
        var items = reply.AsArray();
        Assert.Equal(RedisValueType.Integer, items[0].Type);
        Assert.Equal("two", items[1].AsString());
        Assert.Equal("[3, (nil)]", items[2].ToString());
        Assert.Equal(RedisValueType.Error, items[3].Type);
        Assert.Equal("BOOM inner", items[3].AsString());
    }

    [Theory]
    [InlineData("SUBSCRIBE")]
    [InlineData("psubscribe")]
    [InlineData("MONITOR")]
    [InlineData("HELLO")]
    public async Task Commands_that_would_break_reply_order_are_refused_before_sending(string command)
    {
        // A usage error, thrown synchronously like argument validation.
        Assert.Throws<NotSupportedException>(() => { _ = _client.ExecuteAsync(command, "x"); });
        await _client.PingAsync();
    }

    [Fact]
    public async Task A_null_array_reply_is_null()
    {
        var reply = await _client.ExecuteAsync("BLPOP", Clients.Key("empty-list"), "0.01");
        Assert.True(reply.IsNull);
    }
}
