using LiveIm.Hosting;
using LiveIm.Hosting.Metrics;
using LiveIm.RoomGateway.Auth;
using LiveIm.RoomGateway.Backend;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Presence;
using LiveIm.RoomGateway.Rooms;
using LiveIm.RoomGateway.Subscriptions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LiveIm.RoomGateway;

/// <summary>RoomGateway's registrations and endpoints, called from Program.cs and from the tests.</summary>
public static class GatewaySetup
{
    /// <summary>The hub path.</summary>
    public const string HubPath = "/hubs/room";

    /// <summary>Registers SignalR, authentication, the bus, Redis and the room engine.</summary>
    public static WebApplicationBuilder AddRoomGateway(this WebApplicationBuilder builder)
    {
        var gateway = GatewayIdentity.From(builder.Configuration);
        builder.AddGatewayAuthentication();
        builder.AddLiveImBus("gateway:" + gateway.Id);
        builder.AddLiveImRedis();
        builder.Services.AddSingleton(gateway);
        var fanout = builder.Configuration.GetSection("Fanout").Get<FanoutOptions>() ?? new FanoutOptions();
        fanout.Validate();
        builder.Services.AddSingleton(fanout);
        builder.Services.AddSingleton<FanoutMetrics>();
        builder.Services.AddSingleton(sp => new PrometheusExporter([sp.GetRequiredService<FanoutMetrics>().Meter]));
        builder.Services.AddSingleton<RoomRegistry>();
        builder.Services.AddSingleton<RoomServiceClient>();
        builder.Services.AddSingleton<RoomSubscriptions>();
        builder.Services.AddSingleton<RoomMembership>();
        builder.Services.AddHostedService<PresenceReporter>();
        builder.Services.AddSignalR(options =>
        {
            options.AddFilter<RoomErrorFilter>();
            // Hub methods take a handful of short strings (a 500-character chat line is at most ~3 KB even fully
            // \u-escaped). 16 KB leaves room for that and for clearly-wrong-but-parseable input (a 10 KB room id
            // gets invalid_room); a bigger frame is abuse and closes the connection.
            options.MaximumReceiveMessageSize = 16 * 1024;
        });
        builder.Services.RemoveAll<IHubProtocol>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, CodedJsonHubProtocol>());
        builder.Services.AddSingleton<HubLifetimeManager<RoomHub>, GatewayHubLifetimeManager>();
        return builder;
    }

    /// <summary>Maps the hub at <see cref="HubPath"/> and /healthz.</summary>
    public static WebApplication MapRoomGateway(this WebApplication app)
    {
        app.UseWebSockets();
        app.UseTokenRejection();
        app.UseAuthentication();
        app.MapLiveImHealth();
        app.MapLiveImMetrics();
        app.MapHub<RoomHub>(HubPath);
        return app;
    }
}
