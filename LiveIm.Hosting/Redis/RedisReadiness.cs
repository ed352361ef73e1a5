using LiveIm.Hosting.Health;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// <c>/readyz</c>'s view of Redis: not ready while the client is connecting or disconnected, and while Redis is
/// connected but does not answer (a stopped or overloaded server keeps its socket open: the latest call or probe
/// PING timed out and none has been answered since). <see cref="RedisProbe"/> pings every second, so an idle
/// process notices both ways within about <see cref="RedisSettings.TimeoutMs"/> + 1 s.
/// </summary>
public sealed class RedisReadiness : IReadinessContributor
{
    private readonly RedisConnection _redis;

    public RedisReadiness(RedisConnection redis)
    {
        _redis = redis;
    }

    /// <inheritdoc />
    public string? NotReadyReason() => _redis.NotReadyReason();
}
