using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="LiveImCluster"/> (RoomService and three gateways) on a three-master Redis Cluster instead of one
/// redis-server: every process gets the three nodes as <c>Redis:Configuration</c>. Presence every second and the
/// shared per-user chat limit at its default (2/s, burst 5), so one fixture covers every kind of Redis state.
/// </summary>
public sealed class RedisClusterSystem : LiveImCluster
{
    public RedisClusterSystem()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay)
        {
            ["Presence:IntervalSeconds"] = "1",
            ["Limits:UserChatPerSecond"] = "2",
            ["Limits:UserChatBurst"] = "5",
        })
    {
    }

    /// <summary>The Redis Cluster (null until started).</summary>
    public RedisCluster Cluster { get; private set; } = null!;

    protected override string RedisConfiguration => Cluster.Configuration;

    protected override async Task StartRedisAsync() => Cluster = await RedisCluster.StartNewAsync();

    protected override async Task StopRedisAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterSystem>
{
    public const string Name = "redis-cluster";
}
