using LiveIm.Hosting.Health;
using LiveIm.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>Not ready while the Redis connection is not up (<c>redis disconnected</c>, <c>redis connecting</c>).</summary>
public sealed class RedisReadiness : IReadinessContributor
{
    private readonly IRedisClient _redis;

    public RedisReadiness(IRedisClient redis)
    {
        _redis = redis;
    }

    /// <inheritdoc />
    public string? NotReadyReason() =>
        _redis.State == RedisConnectionState.Connected ? null : "redis " + _redis.State.ToString().ToLowerInvariant();
}
