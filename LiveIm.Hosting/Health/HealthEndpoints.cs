using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiveIm.Hosting.Health;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> on ASP.NET Core's health checks. <c>GET /healthz</c> runs the checks tagged
/// <see cref="HealthTags.Live"/>: 200 <c>ok</c> while the process runs (restart it when this fails).
/// <c>GET /readyz</c> runs those tagged <see cref="HealthTags.Ready"/> (the bus, every <see cref="IReadinessContributor"/>):
/// 200 <c>ready</c>, or 503 <c>not ready: &lt;reason&gt;; &lt;reason&gt;</c> (take it out of rotation, do not restart it).
/// The bodies are plain text, as load balancers, the run script and the tests read them.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Registers the health check service with the process's own live check and the contributors' ready check (once).</summary>
    public static IServiceCollection AddLiveImHealth(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return services;
        }

        services.AddSingleton<Marker>();
        services.AddHealthChecks()
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: [HealthTags.Live])
            .AddCheck<ReadinessContributorsCheck>("readiness", tags: [HealthTags.Ready]);
        return services;
    }

    /// <summary>Maps <c>GET /healthz</c> and <c>GET /readyz</c>.</summary>
    public static IEndpointRouteBuilder MapLiveImHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", Options(HealthTags.Live, "ok"));
        endpoints.MapHealthChecks("/readyz", Options(HealthTags.Ready, "ready"));
        return endpoints;
    }

    private static HealthCheckOptions Options(string tag, string healthyBody) => new()
    {
        Predicate = check => check.Tags.Contains(tag),
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
        ResponseWriter = (context, report) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            if (report.Status != HealthStatus.Unhealthy)
            {
                return context.Response.WriteAsync(healthyBody, Encoding.UTF8);
            }

            // In registration order: the bus, then the contributors (Redis, draining).
            var reasons = report.Entries.Values.Where(e => e.Status == HealthStatus.Unhealthy)
                .Select(e => e.Description ?? e.Exception?.Message ?? "unhealthy");
            return context.Response.WriteAsync("not ready: " + string.Join("; ", reasons), Encoding.UTF8);
        },
    };

    // Marks that AddLiveImHealth ran (the bus and Redis registrations both call it).
    private sealed class Marker;
}
