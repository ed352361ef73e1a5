using LiveIm.Nats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// PINGs NATS every <see cref="Period"/> and records the round trip (<see cref="BackendMetrics"/>): the network
/// latency to the bus in every process, also when traffic is idle (RoomService never makes a bus request, so this is
/// its only NATS round trip). Redis has its own probe (<see cref="Redis.RedisProbe"/>).
/// </summary>
public sealed class BackendProbe : BackgroundService
{
    /// <summary>Two pings per process per 5 s: nothing next to the traffic, often enough for a 1-minute rate.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    private readonly IServiceProvider _services;
    private readonly BackendMetrics _metrics;

    public BackendProbe(IServiceProvider services, BackendMetrics metrics)
    {
        _services = services;
        _metrics = metrics;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nats = _services.GetService<INatsConnection>();
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            _metrics.Pings(await PingAsync(nats is { State: NatsConnectionState.Connected } ? nats.PingAsync : null, stoppingToken), null);
        }
    }

    private static async Task<TimeSpan?> PingAsync(Func<CancellationToken, Task<TimeSpan>>? ping, CancellationToken ct)
    {
        if (ping is null)
        {
            return null;
        }

        try
        {
            return await ping(ct);
        }
        catch (NatsException)
        {
            return null; // a backend going away is reported by /readyz and the failure counters
        }
    }
}
