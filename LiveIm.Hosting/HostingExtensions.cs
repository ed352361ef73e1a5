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
        builder.Services.AddSingleton<IMessageBus>(sp => new NatsMessageBus(sp.GetRequiredService<INatsConnection>()));
        builder.Services.AddHostedService<BackendConnector>();
        return builder;
    }

    /// <summary>Registers the Redis client (section <c>Redis</c>), connected in the background.</summary>
    public static IHostApplicationBuilder AddLiveImRedis(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Redis").Get<RedisSettings>() ?? new RedisSettings();
        builder.Services.AddSingleton<IRedisClient>(sp => new RedisClient(new RedisOptions
        {
            EndPoint = settings.EndPoint,
            Password = settings.Password,
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
        }));
        builder.Services.AddHostedService<BackendConnector>(); // registered once however often it is added

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

    /// <summary><c>GET /healthz</c>: the process is alive (readiness comes with presence and drain).</summary>
    public static IEndpointRouteBuilder MapLiveImHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok"));
        return endpoints;
    }

    /// <summary><c>GET /metrics</c>: the registered <see cref="Metrics.PrometheusExporter"/> in Prometheus text format.</summary>
    public static IEndpointRouteBuilder MapLiveImMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (Metrics.PrometheusExporter exporter) =>
            Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
        return endpoints;
    }
}
