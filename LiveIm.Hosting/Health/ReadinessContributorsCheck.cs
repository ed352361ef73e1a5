using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiveIm.Hosting.Health;

/// <summary>
/// Every registered <see cref="IReadinessContributor"/> as one readiness check: unhealthy with all their reasons
/// (<c>draining; ...</c>) while any has one. Features add a contributor instead of a health check of their own.
/// </summary>
public sealed class ReadinessContributorsCheck : IHealthCheck
{
    private readonly IEnumerable<IReadinessContributor> _contributors;

    public ReadinessContributorsCheck(IEnumerable<IReadinessContributor> contributors)
    {
        _contributors = contributors;
    }

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reasons = _contributors.Select(c => c.NotReadyReason()).OfType<string>().ToList();
        return Task.FromResult(reasons.Count == 0 ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy(string.Join("; ", reasons)));
    }
}
