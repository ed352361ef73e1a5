using LiveIm.Hosting.Bus;
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
        var nats = _services.GetService<NatsMessageBus>();
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            _metrics.Pings(await PingAsync(nats is { IsConnected: true } ? ct => nats.Connection.PingAsync(ct).AsTask() : null, stoppingToken), null);
        }
    }

    private static async Task<TimeSpan?> PingAsync(Func<CancellationToken, Task<TimeSpan>>? ping, CancellationToken ct)
    {
        if (ping is null)
        {
            return null;
        }

        // Bounded: a server that stops answering (SIGSTOP) would hold the probe forever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Period);
        try
        {
            return await ping(deadline.Token);
        }
        catch (Exception ex) when (ex is NATS.Client.Core.NatsException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null; // a backend going away is reported by /readyz and the failure counters
        }
    }
}
