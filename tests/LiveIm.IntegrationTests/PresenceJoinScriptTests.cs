using LiveIm.Hosting.Presence;
using LiveIm.Hosting.Redis;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// presence.lua's <c>join</c> against a real redis-server, through <see cref="IPresenceStore.JoinAsync"/>: it records
/// the joining gateway's count and sums the others in one call, and expired reports still drop out by themselves.
/// Times are passed explicitly, so every case is deterministic.
/// </summary>
public sealed class PresenceJoinScriptTests : IClassFixture<RedisFixture>
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private readonly IPresenceStore _presence;
    private readonly string _room = "pjs-" + Guid.NewGuid().ToString("N")[..10];

    public PresenceJoinScriptTests(RedisFixture redis)
    {
        _presence = new RedisPresenceStore(redis.Client);
    }

    [Fact]
    public async Task A_join_records_its_gateways_count_and_returns_the_sum_of_the_others()
    {
        await _presence.ReportAsync(_room, "gw1", 3, 1_000, Ttl, CancellationToken.None);
        var joined = await _presence.JoinAsync(_room, "gw2", 2, 1_100, Ttl, CancellationToken.None);
        Assert.Equal(new RoomPresence(3, 2, false), joined);
        Assert.Equal(new RoomPresence(5, 2, false), await _presence.ReadAsync(_room, null, 1_200, CancellationToken.None));

        // A later join of the same gateway replaces its count, it does not add to it.
        Assert.Equal(3, (await _presence.JoinAsync(_room, "gw2", 4, 1_300, Ttl, CancellationToken.None)).Online);
        Assert.Equal(7, (await _presence.ReadAsync(_room, null, 1_400, CancellationToken.None)).Online);
    }

    [Fact]
    public async Task A_join_with_count_zero_records_nothing_and_only_reads()
    {
        await _presence.ReportAsync(_room, "gw1", 3, 1_000, Ttl, CancellationToken.None);
        Assert.Equal(new RoomPresence(3, 1, false), await _presence.JoinAsync(_room, "gw2", 0, 1_100, Ttl, CancellationToken.None));
        Assert.Equal(new RoomPresence(3, 1, false), await _presence.ReadAsync(_room, null, 1_200, CancellationToken.None));
    }

    [Fact]
    public async Task Reports_of_a_dead_gateway_expire_and_so_does_a_count_a_join_recorded()
    {
        await _presence.ReportAsync(_room, "dead", 3, 1_000, Ttl, CancellationToken.None); // counts until 11,000
        Assert.Equal(3, (await _presence.JoinAsync(_room, "gw2", 2, 10_999, Ttl, CancellationToken.None)).Online);
        Assert.Equal(new RoomPresence(0, 1, false), await _presence.JoinAsync(_room, "gw2", 2, 11_000, Ttl, CancellationToken.None));
        Assert.Equal(new RoomPresence(2, 1, false), await _presence.ReadAsync(_room, null, 20_999, CancellationToken.None));
        Assert.Equal(new RoomPresence(0, 0, false), await _presence.ReadAsync(_room, null, 21_000, CancellationToken.None)); // the join's record lapsed too
    }
}
