using LiveIm.Core.Bus;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Bus;
using LiveIm.Hosting.Redis;
using LiveIm.Nats;
using LiveIm.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LiveIm.Hosting;

/// <summary>The shared registrations the deployables' Program.cs call.</summary>
public static class HostingExtensions
{
    /// <summary>Registers the NATS connection and <see cref="IMessageBus"/> (section <c>Nats</c>), connected in the background.</summary>
    public static IHostApplicationBuilder AddLiveImBus(this IHostApplicationBuilder builder, string clientName)
    {
        var settings = builder.Configuration.GetSection("Nats").Get<BusSettings>() ?? new BusSettings();
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton<INatsConnection>(sp => new NatsConnection(new NatsOptions
        {
            Servers = settings.Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Name = clientName,
            User = settings.User,
            Password = settings.Password,
            Token = settings.Token,
            RequestTimeout = settings.RequestTimeout,
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
        }));
        builder.Services.TryAddSingleton<Metrics.BackendMetrics>();
        builder.Services.AddSingleton<IMessageBus>(sp => new NatsMessageBus(sp.GetRequiredService<INatsConnection>(), sp.GetRequiredService<Metrics.BackendMetrics>()));
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

    /// <summary>
    /// Puts <see cref="Http.ApiErrorMiddleware"/> first in the pipeline, so every HTTP error an endpoint does not answer
    /// itself (a body that cannot be read, an unknown path, an unexpected exception) is a coded JSON body too.
    /// </summary>
    public static IApplicationBuilder UseLiveImApiErrors(this IApplicationBuilder app) =>
        app.UseMiddleware<Http.ApiErrorMiddleware>();

    /// <summary>
    /// <c>GET /healthz</c>: the process is alive (200 <c>ok</c>). <c>GET /readyz</c>: it should get new work: 200
    /// <c>ready</c> when the bus and Redis (whichever it uses) are connected and no <see cref="Health.IReadinessContributor"/>
    /// objects (a draining gateway does), else 503 <c>not ready: &lt;reasons&gt;</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapLiveImHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        endpoints.MapGet("/readyz", (IServiceProvider services) =>
        {
            var reasons = NotReadyReasons(services);
            return reasons.Count == 0
                ? Results.Text("ready")
                : Results.Text("not ready: " + string.Join("; ", reasons), statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }

    /// <summary>Why the process is not ready (empty when it is): see <see cref="MapLiveImHealth"/>.</summary>
    public static IReadOnlyList<string> NotReadyReasons(IServiceProvider services)
    {
        var reasons = new List<string>();
        if (services.GetService<INatsConnection>() is { } nats && nats.State != NatsConnectionState.Connected)
        {
            reasons.Add("bus " + nats.State.ToString().ToLowerInvariant());
        }

        if (services.GetService<IRedisClient>() is { } redis && redis.State != RedisConnectionState.Connected)
        {
            reasons.Add("redis " + redis.State.ToString().ToLowerInvariant());
        }

        foreach (var contributor in services.GetServices<Health.IReadinessContributor>())
        {
            if (contributor.NotReadyReason() is { } reason)
            {
                reasons.Add(reason);
            }
        }

        return reasons;
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
