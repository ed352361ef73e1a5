namespace LiveIm.Hosting.Health;

/// <summary>
/// One reason a process may not be ready for new work (<c>GET /readyz</c>). Every registered contributor is asked on
/// each probe (<see cref="ReadinessContributorsCheck"/>, one of the ready-tagged health checks besides the bus's own);
/// the process is ready when none has a reason. A gateway that drains registers one; so does the Redis connection.
/// </summary>
public interface IReadinessContributor
{
    /// <summary>Null when ready; otherwise a short reason, e.g. <c>"draining"</c>.</summary>
    string? NotReadyReason();
}
