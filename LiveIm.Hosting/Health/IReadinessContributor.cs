namespace LiveIm.Hosting.Health;

/// <summary>
/// One reason a process may not be ready for new work (<c>GET /readyz</c>). Every registered contributor is asked;
/// the process is ready when none has a reason. The bus and Redis connections are built in; a gateway that drains
/// registers one more.
/// </summary>
public interface IReadinessContributor
{
    /// <summary>Null when ready; otherwise a short reason, e.g. <c>"draining"</c>.</summary>
    string? NotReadyReason();
}
