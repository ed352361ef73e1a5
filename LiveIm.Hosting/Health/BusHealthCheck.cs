using LiveIm.Hosting.Bus;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NATS.Client.Core;

namespace LiveIm.Hosting.Health;

/// <summary>
/// Readiness of the bus: the connection is open and the server answers a PING within <see cref="PingTimeout"/>. The
/// state alone is not enough: a server that stops (SIGSTOP, a frozen VM) keeps the socket open, and the client only
/// notices after its PINGs go unanswered (20-30 s, <see cref="NatsBusOptions"/>); this check notices on the next probe.
/// </summary>
public sealed class BusHealthCheck : IHealthCheck
{
    /// <summary>
    /// A PING on a healthy LAN takes well under a millisecond and on loopback under one; a second is a server that is
    /// not working, not a slow one (an orchestrator probes every few seconds, so this stays far from its own timeout).
    /// </summary>
    public static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);

    private readonly NatsMessageBus _bus;

    public BusHealthCheck(NatsMessageBus bus)
    {
        _bus = bus;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var state = _bus.Connection.ConnectionState;
        if (state != NatsConnectionState.Open)
        {
            return HealthCheckResult.Unhealthy("bus " + state.ToString().ToLowerInvariant());
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(PingTimeout);
        try
        {
            await _bus.Connection.PingAsync(deadline.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is OperationCanceledException or NatsException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"bus not answering (no PONG within {PingTimeout.TotalMilliseconds:0} ms)");
        }
    }
}
