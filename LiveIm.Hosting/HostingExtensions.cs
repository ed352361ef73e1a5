using LiveIm.Core.Bus;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Bus;
using LiveIm.Hosting.Health;
using LiveIm.Hosting.Redis;
using LiveIm.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace LiveIm.Hosting;

/// <summary>The shared registrations the deployables' Program.cs call.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Registers the one <see cref="NatsConnection"/> of the process (section <c>Nats</c>, checked at start-up by
    /// <see cref="BusSettingsValidator"/>), the <see cref="IMessageBus"/> adapter over it, its readiness check, and
    /// the background connect.
    /// </summary>
    public static IHostApplicationBuilder AddLiveImBus(this IHostApplicationBuilder builder, string clientName)
    {
        builder.Services.AddOptions<BusSettings>().BindConfiguration(BusSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BusSettings>, BusSettingsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<BusSettings>>().Value);
        builder.Services.AddSingleton(sp => new NatsConnection(
            NatsBusOptions.Create(sp.GetRequiredService<BusSettings>(), clientName, sp.GetRequiredService<ILoggerFactory>())));
        builder.Services.TryAddSingleton<Metrics.BackendMetrics>();
        builder.Services.AddSingleton(sp => new NatsMessageBus(
            sp.GetRequiredService<NatsConnection>(), sp.GetRequiredService<Metrics.BackendMetrics>(), sp.GetRequiredService<ILogger<NatsMessageBus>>()));
        builder.Services.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<NatsMessageBus>());
        builder.Services.AddHealthChecks().AddCheck<BusHealthCheck>("bus", tags: [HealthTags.Ready]);
        builder.Services.AddLiveImHealth();
        builder.Services.AddHostedService<BackendConnector>();
        builder.Services.AddHostedService<Metrics.BackendProbe>(); // registered once however often it is added
        return builder;
    }

    /// <summary>Registers the Redis client (section <c>Redis</c>), connected in the background.</summary>
    public static IHostApplicationBuilder AddLiveImRedis(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Redis").Get<RedisSettings>() ?? new RedisSettings();
        builder.Services.TryAddSingleton<Metrics.BackendMetrics>();
        builder.Services.AddSingleton<IRedisClient>(sp => new InstrumentedRedisClient(
            new RedisClient(new RedisOptions
            {
                EndPoint = settings.EndPoint,
                Password = settings.Password,
                LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
            }),
            sp.GetRequiredService<Metrics.BackendMetrics>()));
        builder.Services.AddSingleton<Health.IReadinessContributor, RedisReadiness>();
        builder.Services.AddLiveImHealth();
        builder.Services.AddHostedService<BackendConnector>(); // registered once however often it is added
        builder.Services.AddHostedService<Metrics.BackendProbe>();

        return builder;
    }

    /// <summary>Resolves the signing key (refusing to start without one outside Development) and registers token services.</summary>
    public static AuthSettings AddLiveImTokens(this IHostApplicationBuilder builder)
    {
        var auth = AuthSettings.Resolve(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(auth);
        builder.Services.AddSingleton(new LiveImTokens(auth));
        return auth;
    }

    /// <summary><c>GET /metrics</c>: the registered <see cref="Metrics.PrometheusExporter"/> in Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapLiveImMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Created now, not on the first scrape: histograms are aggregated from measurements as they happen, and a
        // listener that does not exist yet would miss them.
        endpoints.ServiceProvider.GetRequiredService<Metrics.PrometheusExporter>();
        endpoints.MapGet("/metrics", (Metrics.PrometheusExporter exporter) =>
            Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return endpoints;
    }
}
