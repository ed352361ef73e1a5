using LiveIm.Redis.Tests.Support;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class PipeliningTests(RedisServerFixture fixture) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private const int Callers = 10_000;
    private RedisClient _client = null!;

    public async Task InitializeAsync() => _client = await fixture.ConnectAsync();

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task Ten_thousand_concurrent_incrs_each_get_a_distinct_value_from_1_to_10000()
    {
        var key = Clients.Key("counter");
        var results = await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(() => _client.IncrAsync(key))));

        Assert.Equal(Enumerable.Range(1, Callers).Select(i => (long)i), results.Order());
        Assert.Equal(0, _client.PendingCount);
    }

    [Fact]
    public async Task A_burst_of_commands_shares_socket_writes()
    {
        // Enqueueing takes about a microsecond, a socket write several: commands that arrive while
        // the writer is flushing wait for the next flush together. (How many share one flush depends
        // on scheduling, so the bound is loose; unloaded it is about a dozen flushes for 10,000.)
        var key = Clients.Key("burst");
        var flushesBefore = _client.FlushCount;
        var burst = new List<Task<long>>(Callers);
        for (var i = 0; i < Callers; i++)
        {
            burst.Add(_client.IncrAsync(key));
        }

        await Task.WhenAll(burst);
        var flushes = _client.FlushCount - flushesBefore;
        Assert.True(flushes < Callers / 2, $"{flushes} flushes for {Callers} commands");
    }

    [Fact]
    public async Task Ten_thousand_concurrent_callers_each_read_back_their_own_value()
    {
        var prefix = Clients.Key("own");
        var results = await Task.WhenAll(Enumerable.Range(0, Callers).Select(i => Task.Run(async () =>
        {
            await _client.SetAsync($"{prefix}:{i}", $"value-{i}");
            return (i, (await _client.GetAsync($"{prefix}:{i}")).AsString());
        })));

        Assert.All(results, r => Assert.Equal($"value-{r.i}", r.Item2));
    }

    [Fact]
    public async Task Concurrent_large_and_small_values_are_not_interleaved_on_the_wire()
    {
        // Large values are written in chunks and arrive in many reads; small commands batched
        // around them must still line up with their replies.
        var prefix = Clients.Key("mixed");
        var work = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            var value = new byte[i % 10 == 0 ? 300_000 + i : i];
            Random.Shared.NextBytes(value);
            await _client.SetAsync($"{prefix}:{i}", value);
            var back = (await _client.GetAsync($"{prefix}:{i}")).AsBytes();
            Assert.Equal(value, back);
        }));

        await Task.WhenAll(work);
    }
}
