using LiveIm.Nats;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveIm.Hosting;

/// <summary>
/// Connects NATS in the background at start-up, retrying until it answers. The process starts (and serves /healthz)
/// even when the bus is not up yet; sends fail with <c>unavailable</c> until it is. After the first connection the
/// client reconnects by itself. (Redis connects by itself: <see cref="Redis.RedisConnection"/>.)
/// </summary>
public sealed partial class BackendConnector : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly ILogger<BackendConnector> _logger;

    public BackendConnector(IServiceProvider services, ILogger<BackendConnector> logger)
    {
        _services = services;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tasks = new List<Task>();
        if (_services.GetService<INatsConnection>() is { } nats)
        {
            tasks.Add(ConnectLoop("nats", ct => nats.ConnectAsync(ct), stoppingToken));
        }

        return Task.WhenAll(tasks);
    }

    private async Task ConnectLoop(string name, Func<CancellationToken, Task> connect, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await connect(stoppingToken);
                LogConnected(name, attempt);
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogRetry(name, attempt, delay.TotalMilliseconds, ex.Message);
                await Task.Delay(delay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Connected to {Backend} (attempt {Attempt})")]
    private partial void LogConnected(string backend, int attempt);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Cannot reach {Backend} yet (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private partial void LogRetry(string backend, int attempt, double delayMs, string reason);
}
