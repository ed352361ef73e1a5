using LiveIm.Redis.Tests.Support;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class RedisCommandsTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private RedisClient _client = null!;

    public async Task InitializeAsync() => _client = await fixture.ConnectAsync();

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Get_returns_what_set_stored_and_null_for_a_missing_key()
    {
        var key = Clients.Key("get");
        Assert.True((await _client.GetAsync(key)).IsNull);
        Assert.True(await _client.SetAsync(key, "v1"));
        Assert.Equal("v1", (await _client.GetAsync(key)).AsString());
        Assert.Equal(-1, await _client.TtlAsync(key));
    }

    [Fact]
    public async Task Set_with_expiry_sets_a_ttl()
    {
        var key = Clients.Key("setex");
        Assert.True(await _client.SetAsync(key, 42, TimeSpan.FromSeconds(100)));
        Assert.InRange(await _client.TtlAsync(key), 95, 100);
        Assert.Equal(42, (await _client.GetAsync(key)).AsInt64());
    }

    [Fact]
    public async Task Set_only_if_not_exists_refuses_to_overwrite()
    {
        var key = Clients.Key("setnx");
        Assert.True(await _client.SetAsync(key, "first", onlyIfNotExists: true));
        Assert.False(await _client.SetAsync(key, "second", TimeSpan.FromSeconds(5), onlyIfNotExists: true));
        Assert.Equal("first", (await _client.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Del_and_exists_report_whether_keys_existed()
    {
        var a = Clients.Key("del");
        var b = Clients.Key("del");
        await _client.SetAsync(a, "x");
        await _client.SetAsync(b, "y");
        Assert.True(await _client.ExistsAsync(a));
        Assert.True(await _client.DelAsync(a));
        Assert.False(await _client.DelAsync(a));
        Assert.False(await _client.ExistsAsync(a));
        Assert.Equal(1, await _client.DelAsync([a, b]));
    }

    [Fact]
    public async Task Incr_and_incrby_count_from_zero()
    {
        var key = Clients.Key("incr");
        Assert.Equal(1, await _client.IncrAsync(key));
        Assert.Equal(11, await _client.IncrByAsync(key, 10));
        Assert.Equal(6, await _client.IncrByAsync(key, -5));
    }

    [Fact]
    public async Task Expire_and_pexpire_set_ttls_and_ttl_reports_missing_keys()
    {
        var key = Clients.Key("expire");
        Assert.False(await _client.ExpireAsync(key, TimeSpan.FromSeconds(10)));
        Assert.Equal(-2, await _client.TtlAsync(key));
        await _client.SetAsync(key, "x");
        Assert.True(await _client.ExpireAsync(key, TimeSpan.FromSeconds(30)));
        Assert.InRange(await _client.TtlAsync(key), 25, 30);
        Assert.True(await _client.PExpireAsync(key, TimeSpan.FromMilliseconds(50)));
        await LiveIm.Testing.Eventually.TrueAsync(async () => !await _client.ExistsAsync(key), TimeSpan.FromSeconds(5), "the key expires");
    }

    [Fact]
    public async Task Mget_returns_values_in_key_order_with_nulls_for_missing_keys()
    {
        var a = Clients.Key("mget");
        var missing = Clients.Key("mget");
        var c = Clients.Key("mget");
        await _client.SetAsync(a, "A");
        await _client.SetAsync(c, "C");
        var values = await _client.MGetAsync([a, missing, c]);
        Assert.Equal(["A", null, "C"], values.Select(v => v.AsString()));
    }

    [Fact]
    public async Task Hash_commands_set_get_increment_and_delete_fields()
    {
        var key = Clients.Key("hash");
        Assert.True(await _client.HSetAsync(key, "name", "alice"));
        Assert.False(await _client.HSetAsync(key, "name", "bob"));
        Assert.Equal(2, await _client.HSetAsync(key, [new("a", 1), new("b", "two")]));
        Assert.Equal("bob", (await _client.HGetAsync(key, "name")).AsString());
        Assert.True((await _client.HGetAsync(key, "nope")).IsNull);
        Assert.Equal(5, await _client.HIncrByAsync(key, "a", 4));

        var all = await _client.HGetAllAsync(key);
        Assert.Equal(["a", "b", "name"], all.Keys.Order());
        Assert.Equal(5, all["a"].AsInt64());
        Assert.Equal("two", all["b"].AsString());

        Assert.True(await _client.HDelAsync(key, "name"));
        Assert.False(await _client.HDelAsync(key, "name"));
        Assert.Empty(await _client.HGetAllAsync(Clients.Key("missing-hash")));
    }

    [Fact]
    public async Task Sorted_set_commands_add_range_with_limit_and_trim()
    {
        var key = Clients.Key("zset");
        for (var i = 1; i <= 10; i++)
        {
            Assert.True(await _client.ZAddAsync(key, i * 1.5, $"m{i}"));
        }

        Assert.False(await _client.ZAddAsync(key, 100, "m10"));
        Assert.Equal(10, await _client.ZCardAsync(key));

        var page = await _client.ZRangeByScoreAsync(key, 3, double.PositiveInfinity, skip: 1, take: 3);
        Assert.Equal(["m3", "m4", "m5"], page.Select(v => v.AsString()));

        var all = await _client.ZRangeByScoreAsync(key, double.NegativeInfinity, double.PositiveInfinity);
        Assert.Equal(10, all.Length);

        var exclusive = await _client.ZRangeByScoreAsync(key, "(1.5", 3);
        Assert.Equal(["m2"], exclusive.Select(v => v.AsString()));

        var scored = await _client.ZRangeByScoreWithScoresAsync(key, 99, "+inf");
        Assert.Equal([new RedisSortedSetEntry(scored[0].Member, 100)], scored);
        Assert.Equal("m10", scored[0].Member.AsString());

        Assert.Equal(2, await _client.ZRemRangeByScoreAsync(key, 0, 3));
        Assert.Equal(3, await _client.ZRemRangeByRankAsync(key, 0, 2));
        Assert.Equal(5, await _client.ZCardAsync(key));
        Assert.Equal(0, await _client.ZCardAsync(Clients.Key("missing-zset")));
    }

    [Fact]
    public async Task Stream_commands_add_with_approximate_maxlen_and_read_back_in_order()
    {
        var key = Clients.Key("stream");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await _client.XAddAsync(key, [new("seq", i), new("body", $"hello {i}")]));
        }

        Assert.Equal(5, await _client.XLenAsync(key));
        var entries = await _client.XRangeAsync(key);
        Assert.Equal(ids, entries.Select(e => e.Id));
        Assert.Equal("hello 3", entries[3]["body"].AsString());
        Assert.Equal(["seq", "body"], entries[0].Fields.Select(f => f.Key));
        Assert.True(entries[0]["missing"].IsNull);

        var window = await _client.XRangeAsync(key, ids[1], "+", count: 2);
        Assert.Equal(ids[1..3], window.Select(e => e.Id));

        var explicitId = await _client.XAddAsync(Clients.Key("stream"), [new("a", "b")], id: "5-1");
        Assert.Equal("5-1", explicitId);
    }

    [Fact]
    public async Task Xadd_maxlen_trims_old_entries()
    {
        var key = Clients.Key("stream-trim");
        for (var i = 0; i < 500; i++)
        {
            await _client.XAddAsync(key, [new("i", i)], maxLength: 10);
        }

        // "~" trims whole radix-tree nodes (100 entries by default), so "about 10" is at most a node more.
        Assert.InRange(await _client.XLenAsync(key), 10, 110);
        var entries = await _client.XRangeAsync(key);
        Assert.Equal(499, entries[^1]["i"].AsInt64());
    }

    [Fact]
    public async Task Ping_returns_a_round_trip_time()
    {
        var rtt = await _client.PingAsync();
        Assert.InRange(rtt, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Client_name_is_set_on_connect()
    {
        Assert.Equal("liveim-test", (await _client.ExecuteAsync("CLIENT", "GETNAME")).AsString());
    }
}
