using LiveIm.Core.Bus;
using LiveIm.Hosting.Admin;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Bus;
using LiveIm.Hosting.Health;
using LiveIm.Hosting.Redis;
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
    public static IHostApplicationBuilder AddLiveImBus(this IHostApplicationBuilder builder, string clientName) =>
        builder.AddLiveImBus(_ => clientName);

    /// <inheritdoc cref="AddLiveImBus(IHostApplicationBuilder, string)"/>
    public static IHostApplicationBuilder AddLiveImBus(this IHostApplicationBuilder builder, Func<IServiceProvider, string> clientName)
    {
        builder.Services.AddOptions<BusSettings>().BindConfiguration(BusSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<BusSettings>, BusSettingsValidator>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<BusSettings>>().Value);
        builder.Services.AddSingleton(sp => new NatsConnection(
            NatsBusOptions.Create(sp.GetRequiredService<BusSettings>(), clientName(sp), sp.GetRequiredService<ILoggerFactory>())));
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

    /// <summary>
    /// Registers the process's one Redis connection (section <c>Redis</c>, <see cref="RedisSettings"/>; a malformed
    /// setting stops start-up naming it), the stores on it that gateways and RoomService share
    /// (<see cref="Presence.IPresenceStore"/>, <see cref="LiveIm.Core.Gateways.IGatewayRegistry"/>), Redis's readiness
    /// and its PING probe. The client connects in the background and reconnects by itself.
    /// </summary>
    public static IHostApplicationBuilder AddLiveImRedis(this IHostApplicationBuilder builder, string clientName = "liveim") =>
        builder.AddLiveImRedis(_ => clientName);

    /// <inheritdoc cref="AddLiveImRedis(IHostApplicationBuilder, string)"/>
    public static IHostApplicationBuilder AddLiveImRedis(this IHostApplicationBuilder builder, Func<IServiceProvider, string> clientName)
    {
        builder.Services.AddOptions<RedisSettings>()
            .BindConfiguration(RedisSettings.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<RedisSettings>>(new RedisSettingsCheck("liveim")); // the name does not change what is valid
        builder.Services.TryAddSingleton<Metrics.BackendMetrics>();
        builder.Services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<RedisSettings>>().Value, clientName(sp), sp.GetRequiredService<Metrics.BackendMetrics>(),
            sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.TryAddSingleton<Presence.IPresenceStore, RedisPresenceStore>();
        builder.Services.TryAddSingleton<LiveIm.Core.Gateways.IGatewayRegistry, RedisGatewayRegistry>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Health.IReadinessContributor, RedisReadiness>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisProbe>());
        builder.Services.AddLiveImHealth();
        return builder;
    }

    /// <summary>
    /// Puts <see cref="Http.ApiErrorMiddleware"/> first in the pipeline, so every HTTP error an endpoint does not answer
    /// itself (a body that cannot be read, an unknown path, an unexpected exception) is a coded JSON body too.
    /// </summary>
    public static IApplicationBuilder UseLiveImApiErrors(this IApplicationBuilder app) =>
        app.UseMiddleware<Http.ApiErrorMiddleware>();

    /// <summary>
    /// Binds the signing key (<c>Auth:SigningKey</c>; outside Development a missing, short or development key stops
    /// start-up) and registers <see cref="LiveImTokens"/> over it. Registered once however often it is called.
    /// </summary>
    public static IHostApplicationBuilder AddLiveImTokens(this IHostApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(LiveImTokens)))
        {
            return builder;
        }

        builder.Services.AddSecret<AuthSettings>(AuthSettings.Rule, o => o.SigningKey, (o, key) => o.SigningKey = key);
        builder.Services.AddSingleton(sp => new LiveImTokens(sp.GetRequiredService<AuthSettings>()));
        return builder;
    }

    /// <summary>Binds <c>Admin:Token</c> under the secrets rule; <paramref name="purpose"/> says what it guards in this process.</summary>
    public static IHostApplicationBuilder AddLiveImAdminToken(this IHostApplicationBuilder builder, string purpose)
    {
        builder.Services.AddSecret<AdminSettings>(AdminSettings.Rule(purpose), o => o.Token, (o, token) => o.Token = token);
        return builder;
    }
}
