using LiveIm.Hosting;
using LiveIm.Hosting.Admin;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Configuration;
using LiveIm.Hosting.Health;
using LiveIm.Hosting.Metrics;
using LiveIm.Hosting.Presence;
using LiveIm.RoomService.Admin;
using LiveIm.RoomService.Assignment;
using LiveIm.RoomService.Auth;
using LiveIm.RoomService.Configuration;
using LiveIm.RoomService.Cors;
using LiveIm.RoomService.Demo;
using LiveIm.RoomService.Events;
using LiveIm.RoomService.Limits;
using LiveIm.RoomService.Metrics;
using LiveIm.RoomService.Moderation;
using LiveIm.RoomService.Presence;
using LiveIm.RoomService.Publishing;
using LiveIm.RoomService.Replay;
using LiveIm.RoomService.Requests;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.Stores.Redis;
using LiveIm.RoomService.StreamClock;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService;

/// <summary>RoomService's registrations and endpoints, called from Program.cs and from the tests.</summary>
public static class RoomServiceSetup
{
    /// <summary>
    /// Registers the bus, Redis, the store, the room logic, the stream clock and the request listener. Refuses to start
    /// outside Development without <c>Auth:SigningKey</c>, <c>Admin:Token</c> or <c>Service:Token</c>.
    /// </summary>
    public static WebApplicationBuilder AddRoomService(this WebApplicationBuilder builder)
    {
        builder.AddLiveImTokens();
        builder.AddLiveImAdminToken("the bearer token of RoomService's admin endpoints");
        builder.Services.AddSecret<ServiceSettings>(ServiceSettings.Rule, o => o.Token, (o, token) => o.Token = token);
        builder.Services.AddOptions<StreamClockOptions>()
            .BindConfiguration(StreamClockOptions.Section)
            .Validate(o => o.IsValid(), StreamClockOptions.ValidationMessage)
            .ValidateOnStart();
        builder.Services.AddOptions<ReplayOptions>()
            .BindConfiguration(ReplayOptions.Section)
            .Validate(o => o.IsValid(), ReplayOptions.ValidationMessage)
            .ValidateOnStart();
        builder.Services.AddReplayRateLimit();
        builder.Services.AddOptions<ChatBudgetOptions>()
            .BindConfiguration(ChatBudgetOptions.Section)
            .Validate(
                o => o.BudgetPerSecond is >= 0 and <= ChatBudgetOptions.MaxBudgetPerSecond,
                $"Chat:BudgetPerSecond must be between 0 (unlimited) and {ChatBudgetOptions.MaxBudgetPerSecond}")
            .ValidateOnStart();
        builder.Services.AddOptions<SharedLimitsOptions>()
            .BindConfiguration(SharedLimitsOptions.Section)
            .Validate(
                o => o.IsValid(),
                $"Limits:UserChatPerSecond, UserGiftPerSecond and RoomGiftsPerSecond must be between 0 (off) and {SharedLimitsOptions.MaxPerSecond}, "
                + $"their bursts between 1 and {SharedLimitsOptions.MaxBurst}")
            .ValidateOnStart();
        builder.AddLiveImBus("roomservice");
        builder.AddLiveImRedis("roomservice");
        builder.Services.AddOptions<RoomStoreOptions>().BindConfiguration("History").ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System); // tests may bring their own clock
        builder.Services.AddSingleton<IRoomStore, RedisRoomStore>();
        builder.Services.AddSingleton<RoomEventPublisher>();
        builder.Services.AddSingleton<UserRateLimiter>();
        builder.Services.AddSingleton<RoomInteractions>();
        builder.Services.AddSingleton<RoomModeration>();
        builder.Services.AddSingleton<RoomStreamClock>();
        builder.Services.AddSingleton<RoomQueries>();
        builder.Services.AddHostedService<RoomRequestListener>();
        builder.AddGatewayAssignment();
        builder.Services.AddOptions<DevTokenOptions>()
            .BindConfiguration(DevTokenOptions.Section)
            .Validate<IHostEnvironment>((o, environment) => !o.Enabled || environment.IsDevelopment(), DevTokenOptions.RefusedOutsideDevelopment)
            .ValidateOnStart();
        builder.Services.AddSingleton<RoomServiceMetrics>();
        builder.Services.AddSingleton<ProcessMetrics>();
        builder.AddLiveImMetrics(sp => [sp.GetRequiredService<RoomServiceMetrics>().Meter, sp.GetRequiredService<BackendMetrics>().Meter, sp.GetRequiredService<ProcessMetrics>().Meter]);
        builder.Services.AddLiveImOptions<PresenceOptions>(PresenceOptions.Section, PresenceOptions.Check);
        builder.Services.AddHostedService<PresenceBroadcaster>();
        builder.AddPageCors();
        builder.AddDemoPages();
        return builder;
    }

    /// <summary>
    /// Maps /healthz, /readyz, /metrics, room info, gateway assignment, the admin endpoints, the stream clock and replay
    /// endpoints, the demo pages and, when <c>DevTokens:Enabled</c>, the dev token endpoint; CORS for web pages on other
    /// origins when <c>Cors:AllowedOrigins</c> is set.
    /// </summary>
    public static WebApplication MapRoomService(this WebApplication app)
    {
        app.UseLiveImApiErrors();
        app.UsePageCors();
        app.UseRateLimiter();
        app.MapDemoPages();
        app.MapLiveImHealth();
        app.MapLiveImMetrics();
        app.MapRoomInfo();
        app.MapChatBudgetAdmin();
        app.MapGatewayAssignment();
        app.MapStreamClock();
        app.MapReplay();
        if (app.Services.GetRequiredService<IOptions<DevTokenOptions>>().Value.Enabled)
        {
            app.MapDevTokens();
        }

        return app;
    }

    // GET /api/gateways/assign (RoomService/Assignment): reads the gateways' load reports and presence from Redis.
    private static void AddGatewayAssignment(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AssignmentOptions>()
            .BindConfiguration(AssignmentOptions.Section)
            .Validate(
                o => o.IsValid(),
                "Assignment:MaxRoomMembersPerGateway must be >= 1, InRoomLoadSlack 0..100, InRoomSlackConnections >= 0, MaxCpu in (0, 1], RetryAfterSeconds 1..3600")
            .ValidateOnStart();
        builder.Services.AddSingleton<GatewayDirectory>();
        builder.Services.AddSingleton<AssignmentLedger>();
    }
}
