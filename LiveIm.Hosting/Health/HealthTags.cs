namespace LiveIm.Hosting.Health;

/// <summary>The tags that put a health check behind <c>/healthz</c> (live) or <c>/readyz</c> (ready).</summary>
public static class HealthTags
{
    /// <summary>Liveness (<c>GET /healthz</c>): fails only when the process should be restarted.</summary>
    public const string Live = "live";

    /// <summary>Readiness (<c>GET /readyz</c>): fails while the process should get no new work.</summary>
    public const string Ready = "ready";
}
