using LiveIm.Core.Stores;
using LiveIm.Hosting.Metrics;
using Microsoft.Extensions.Hosting;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// PINGs Redis every <see cref="Period"/> and records the round trip (<c>liveim.redis.ping_duration</c>): the
/// latency to Redis in every process even when traffic is idle, and the heartbeat that lets readiness
/// (<see cref="RedisReadiness"/>) see a Redis that stopped answering, or answers again, without waiting for traffic.
/// </summary>
public sealed class RedisProbe : BackgroundService
{
    /// <summary>One PING per process per second: nothing next to the traffic, and readiness follows within a second.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly RedisConnection _redis;
    private readonly BackendMetrics _metrics;

    public RedisProbe(RedisConnection redis, BackendMetrics metrics)
    {
        _redis = redis;
        _metrics = metrics;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                _metrics.Pings(null, await _redis.PingAsync());
            }
            catch (StoreUnavailableException)
            {
                // Counted in liveim.redis.failures and reported by /readyz.
            }
        }
    }
}
