using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// Drains before the process stops (SIGTERM, or the host stopping for any reason) when <see cref="DrainOptions.OnShutdown"/>.
/// </summary>
/// <remarks>
/// Why inside an ApplicationStopping callback, blocking: SignalR closes every connection from its own
/// ApplicationStopping callback (registered when the hub is mapped), and on SIGTERM ApplicationStopping fires before
/// any hosted service is told to stop. Cancellation callbacks run last-registered first, so this one (registered when
/// the host starts, after the hub was mapped) runs before SignalR's, and holds it back until the drain is done. Kestrel
/// keeps serving meanwhile (it stops later, in the host's StopAsync), so clients still get their events and gifts
/// until they leave. <see cref="GatewaySetup"/> sets <c>HostOptions.ShutdownTimeout</c> beyond the drain's deadline;
/// give the orchestrator's grace period (Kubernetes <c>terminationGracePeriodSeconds</c>) as much.
/// </remarks>
public sealed class DrainOnShutdown : IHostedService
{
    private readonly GatewayDrain _drain;
    private readonly DrainOptions _options;
    private readonly FanoutOptions _fanout;
    private readonly IHostApplicationLifetime _lifetime;
    private CancellationTokenRegistration _registration;

    public DrainOnShutdown(GatewayDrain drain, DrainOptions options, FanoutOptions fanout, IHostApplicationLifetime lifetime)
    {
        _drain = drain;
        _options = options;
        _fanout = fanout;
        _lifetime = lifetime;
    }

    /// <summary>How long a drain may take, close grace included: the bound of the blocking wait and of the host's shutdown.</summary>
    public static TimeSpan Longest(DrainOptions options, FanoutOptions fanout) =>
        TimeSpan.FromSeconds(options.DeadlineSeconds) + TimeSpan.FromMilliseconds(fanout.CloseGraceMs + 2000);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.OnShutdown)
        {
            _registration = _lifetime.ApplicationStopping.Register(() => _drain.DrainAsync("shutdown").Wait(Longest(_options, _fanout)));
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration.Dispose();
        return Task.CompletedTask;
    }
}
