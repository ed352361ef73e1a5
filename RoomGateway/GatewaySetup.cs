using LiveIm.Hosting;
using LiveIm.Hosting.Configuration;
using LiveIm.Hosting.Admin;
using LiveIm.Hosting.Health;
using LiveIm.Hosting.Metrics;
using LiveIm.Hosting.Presence;
using LiveIm.RoomGateway.Auth;
using LiveIm.RoomGateway.Backend;
using LiveIm.RoomGateway.Connections;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Drain;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Limits;
using LiveIm.RoomGateway.Presence;
using LiveIm.RoomGateway.Registry;
using LiveIm.RoomGateway.Rooms;
using LiveIm.RoomGateway.Subscriptions;
using Microsoft.AspNetCore.Http.Connections;
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
        builder.Services.AddLiveImOptions<GatewayIdentity>(GatewayIdentity.Section)
            .PostConfigure(identity => identity.Id = string.IsNullOrWhiteSpace(identity.Id) ? GatewayIdentity.MadeUp() : identity.Id);
        builder.AddGatewayAuthentication();
        builder.AddLiveImBus(sp => "gateway:" + sp.GetRequiredService<GatewayIdentity>().Id);
        builder.AddLiveImRedis(sp => "gateway:" + sp.GetRequiredService<GatewayIdentity>().Id);

        // SignalR logs every failed hub call at Error with a stack trace, including each rate_limited and
        // invalid_argument answer: a flooding client would write the gateway's logs for it. RoomErrorFilter logs the
        // failures that are ours (unexpected exceptions); client errors are counted in the metrics instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical);

        // Hosting's request logger writes only "request starting/finished" (Information), and while it is enabled at any
        // level ASP.NET Core gives every request an Activity and a log scope. A WebSocket connection is one request as
        // long as the connection, so that is ~0.5 KB kept per connection for log lines nobody reads. (With OTLP tracing
        // on, the Activity comes back: a listener asks for it.)
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // Transport:InlineScheduling (off): socket writes run in the writer's flush instead of on Kestrel's I/O queues,
        // so a frame written to a whole room does not leave a 4 KB pool block in every member's socket pipe (which the
        // pool then keeps). Costs a few % CPU per delivery in our A/B runs; operations.md, "Memory per connection".
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = builder.Configuration.GetValue("Transport:InlineScheduling", false));
        builder.Services.AddLiveImOptions<FanoutOptions>("Fanout", o => o.Validate());
        builder.Services.AddSingleton<FanoutMetrics>();
        builder.Services.AddSingleton(sp => new TickPolicy(sp.GetRequiredService<FanoutOptions>(), sp.GetRequiredService<FanoutMetrics>(), TimeProvider.System));
        builder.Services.AddSingleton<ProcessMetrics>();
        builder.AddLiveImMetrics(sp => [sp.GetRequiredService<FanoutMetrics>().Meter, sp.GetRequiredService<BackendMetrics>().Meter, sp.GetRequiredService<ProcessMetrics>().Meter]);
        builder.Services.AddSingleton<RoomRegistry>();
        builder.Services.AddSingleton<RoomServiceClient>();
        builder.Services.AddSingleton<RoomSubscriptions>();
        builder.Services.AddSingleton<RoomMembership>();
        builder.Services.AddLiveImOptions<PresenceOptions>(PresenceOptions.Section, PresenceOptions.Check);
        builder.Services.AddSingleton<PresenceWrites>();
        builder.Services.AddHostedService<PresenceReporter>();
        builder.Services.AddLiveImOptions<LimitsOptions>("Limits", o => o.Validate());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new LimitsMetrics(sp.GetRequiredService<FanoutMetrics>().Meter));
        builder.Services.AddSingleton<CallLimiter>();
        builder.Services.AddSingleton<ConnectionAdmission>();
        builder.Services.AddSingleton<LimitsHubFilter>();
        // Before the drain: hosted services stop in reverse order, so the drain runs first and ConnectionHeartbeat then
        // closes whatever connections are left (RoomGateway/Connections).
        builder.Services.AddSingleton<ConnectionHeartbeat>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ConnectionHeartbeat>());
        builder.AddGatewayDrain();
        builder.Services.AddOptions<HubOptions>().Configure<LimitsOptions>((options, limits) =>
        {
            // Limits:MaxMessageBytes (16 KB): hub methods take a handful of short strings (a 500-character chat line
            // is at most ~3 KB even fully \u-escaped). 16 KB leaves room for that and for clearly-wrong-but-parseable
            // input (a 10 KB room id gets invalid_room); a bigger frame is abuse and closes the connection.
            options.MaximumReceiveMessageSize = limits.MaxMessageBytes;

            // Signed-in connections' slots; anonymous ones run on a handler of their own (HubWebSocketEndpoint).
            options.MaximumParallelInvocationsPerClient = limits.InvocationSlotsFor(signedIn: true);
        });
        builder.Services.AddSignalR(AddHubFilters);
        builder.Services.RemoveAll<IHubProtocol>();
        // JSON (the default) and MessagePack, both with coded errors; a client picks one in the SignalR handshake.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, CodedJsonHubProtocol>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHubProtocol, CodedMessagePackHubProtocol>());
        builder.Services.AddSingleton<HubLifetimeManager<RoomHub>, GatewayHubLifetimeManager>();
        return builder;
    }

    /// <summary>Maps the hub at <see cref="HubPath"/> and /healthz.</summary>
    public static WebApplication MapRoomGateway(this WebApplication app)
    {
        app.UseLiveImApiErrors();
        app.UseWebSockets();
        app.Use(FrameSocketFeature.Wrap);

        // Connection caps before anything spends on the request (token validation included).
        app.UseMiddleware<DrainDoorMiddleware>();
        app.UseMiddleware<ConnectionCapMiddleware>();
        app.UseTokenRejection();
        app.MapLiveImHealth();
        app.MapLiveImMetrics();
        app.MapDrainAdmin();
        // The hub's WebSocket connections and its negotiate request (RoomGateway/Connections); anything else on the
        // hub path reaches MapHub, which answers it as SignalR does.
        app.UseMiddleware<HubWebSocketEndpoint>();
        // WebSockets only (docs/protocol.md): a connection is then exactly one request, which is what the connection
        // caps count; a long-polling connection would be a series of requests that no cap could see.
        app.MapHub<RoomHub>(HubPath, options => options.Transports = HttpTransportType.WebSockets);
        return app;
    }

    // Load reports for assignment and the graceful drain (RoomGateway/Registry, RoomGateway/Drain). The gateway's
    // admin endpoint (POST /admin/drain) requires Admin:Token like RoomService's: outside Development it refuses to
    // start without a real one.
    private static void AddGatewayDrain(this WebApplicationBuilder builder)
    {
        builder.AddLiveImAdminToken("the bearer token of the gateway's admin endpoint (POST /admin/drain)");
        builder.Services.AddLiveImOptions<LoadReportOptions>(GatewayIdentity.Section, LoadReportOptions.Check).BindConfiguration(LoadReportOptions.Section);
        builder.Services.AddSingleton(sp => new RegistryMetrics(sp.GetRequiredService<FanoutMetrics>().Meter));
        builder.Services.AddSingleton<LoadReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LoadReporter>());
        builder.Services.AddLiveImOptions<DrainOptions>(DrainOptions.Section, DrainOptions.Check);
        builder.Services.AddSingleton(sp => new DrainMetrics(sp.GetRequiredService<FanoutMetrics>().Meter));
        builder.Services.AddSingleton<GatewayDrain>();
        builder.Services.AddSingleton<IReadinessContributor>(sp => sp.GetRequiredService<GatewayDrain>());
        builder.Services.AddHostedService<DrainOnShutdown>();
        builder.Services.AddOptions<HostOptions>().Configure<DrainOptions, FanoutOptions>(
            (host, drain, fanout) => host.ShutdownTimeout = DrainOnShutdown.Longest(drain, fanout) + TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// The hub's filters, in this order: the limits run inside the error filter, which turns their refusals into
    /// <c>"rate_limited: ... retryAfterMs=n"</c> like any RoomException. (Also given to the anonymous connections'
    /// handler, see HubWebSocketEndpoint.)
    /// </summary>
    internal static void AddHubFilters(HubOptions options)
    {
        options.AddFilter<RoomErrorFilter>();
        options.AddFilter<LimitsHubFilter>();
    }

    /// <summary>Whether a connection came with a valid token (anything else is an anonymous viewer).</summary>
    internal static bool IsSignedIn(System.Security.Claims.ClaimsPrincipal? user) => user?.Identity?.IsAuthenticated == true;
}
