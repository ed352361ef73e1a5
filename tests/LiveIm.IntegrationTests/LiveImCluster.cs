using LiveIm.Client;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.RoomGateway;
using LiveIm.RoomService;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The whole system on loopback: a real nats-server and redis-server, one RoomService and three gateways
/// (A and B carry the test's members; C stays without members to prove interest-based subscription).
/// Hosts run in-process on free ports, with a non-development environment and a real (test) signing key.
/// </summary>
public class LiveImCluster : IAsyncLifetime
{
    public const string SigningKey = "integration-test-signing-key-0123456789abcdef";
    public const string AdminToken = "integration-test-admin-token-0123456789abcdef";
    public const string ServiceToken = "integration-test-service-token-0123456789abcdef";

    private readonly List<WebApplication> _apps = new();
    private readonly IReadOnlyDictionary<string, string?> _overrides;
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("liveim-it").FullName;

    public LiveImCluster()
        : this(LimitsOutOfTheWay)
    {
    }

    /// <summary>
    /// The shared cluster's tests exercise other layers and send in bulk from one connection (60 calls at once, a join
    /// polled every 50 ms, chat storms), so the gateway's per-connection limits are set out of their way here.
    /// Fixtures built with overrides (LimitsCluster, GatewayDoorCluster) keep the production defaults.
    /// </summary>
    protected static IReadOnlyDictionary<string, string?> LimitsOutOfTheWay => TestLimits;

    /// <summary>The gateway's per-connection limits out of a test's way (<see cref="LimitsOutOfTheWay"/>).</summary>
    public static IReadOnlyDictionary<string, string?> TestLimits { get; } = new Dictionary<string, string?>
    {
        ["Limits:ChatPerSecond"] = "100000", ["Limits:ChatBurst"] = "100000",
        ["Limits:GiftPerSecond"] = "100000", ["Limits:GiftBurst"] = "100000",
        ["Limits:LikePerSecond"] = "100000", ["Limits:LikeBurst"] = "100000",
        ["Limits:JoinPerSecond"] = "100000", ["Limits:JoinBurst"] = "100000",
        ["Limits:ModerationPerSecond"] = "100000", ["Limits:ModerationBurst"] = "100000",
        ["Limits:OtherPerSecond"] = "100000", ["Limits:OtherBurst"] = "100000",
        ["Limits:MaxPendingInvocations"] = "256",
        ["Replay:PerIpPerSecond"] = "0",
    };

    /// <summary>A cluster whose every process gets <paramref name="overrides"/> on top of the settings below (a test
    /// fixture with low limits, say).</summary>
    protected LiveImCluster(IReadOnlyDictionary<string, string?> overrides)
    {
        _overrides = overrides;
    }

    public NatsServer Nats { get; } = new();

    public RedisServer Redis { get; } = new();

    /// <summary>What every process gets as <c>Redis:Configuration</c>: the single redis-server, unless a fixture brings another topology.</summary>
    protected virtual string RedisConfiguration => Redis.EndPoint;

    public Uri RoomServiceUrl { get; private set; } = null!;

    /// <summary>How many RoomService instances share the request queue group (<see cref="RoomServiceUrl"/> is the first).</summary>
    protected virtual int RoomServiceCount => 1;

    public Uri[] Gateways { get; private set; } = [];

    public LiveImTokens Tokens { get; } = new(new AuthSettings { SigningKey = SigningKey });

    public virtual async Task InitializeAsync()
    {
        await Nats.StartAsync();
        await StartRedisAsync();
        for (var i = 0; i < RoomServiceCount; i++)
        {
            var url = await StartAsync(
                b =>
                {
                    ConfigureRoomService(b);
                    b.AddRoomService();
                },
                a => a.MapRoomService(),
                i == 0 ? "roomservice" : $"roomservice{i + 1}");
            if (i == 0)
            {
                RoomServiceUrl = url;
            }
        }

        var gateways = new List<Uri>();
        foreach (var name in new[] { "gwA", "gwB", "gwC" })
        {
            gateways.Add(await StartAsync(b => b.AddRoomGateway(), a => a.MapRoomGateway(), name));
        }

        Gateways = gateways.ToArray();
        await WaitForBackendsAsync();
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Nats.DisposeAsync();
        await StopRedisAsync();
    }

    /// <summary>Starts the Redis the processes use (a fixture with a Redis Cluster starts that instead).</summary>
    protected virtual Task StartRedisAsync() => Redis.StartAsync();

    /// <summary>Stops it.</summary>
    protected virtual async Task StopRedisAsync() => await Redis.DisposeAsync();

    /// <summary>Lets a fixture register services of RoomService before its own (a clock of the test's, say).</summary>
    protected virtual void ConfigureRoomService(WebApplicationBuilder builder)
    {
    }

    /// <summary>A signed token.</summary>
    public string Token(string userId, string role = Roles.Viewer, string? room = null) =>
        Tokens.Issue(userId, userId.ToUpperInvariant(), role, room, TimeSpan.FromHours(1));

    /// <summary>A connected client on gateway <paramref name="gateway"/> (0 = A, 1 = B, 2 = C).</summary>
    public async Task<RoomClient> ConnectAsync(int gateway, string? token = null)
    {
        var client = new RoomClient(new RoomClientOptions { GatewayUrl = Gateways[gateway], AccessToken = token });
        await client.ConnectAsync();
        return client;
    }

    /// <summary>Waits until a chat round trip works (RoomService and gateways connected to NATS and Redis).</summary>
    public async Task WaitForBackendsAsync()
    {
        var room = "warmup-" + Guid.NewGuid().ToString("N")[..8];
        await using var client = await ConnectAsync(0, Token("warmup"));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.JoinRoomAsync(room);
                await client.SendChatAsync("warm up");
                return true;
            }
            catch (RoomClientException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(20), "the system answers a chat after (re)connecting to NATS and Redis");
    }

    private async Task<Uri> StartAsync(Action<WebApplicationBuilder> add, Action<WebApplication> map, string name)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "IntegrationTest",
            ContentRootPath = _contentRoot,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = SigningKey,
            ["Admin:Token"] = AdminToken,
            ["Service:Token"] = ServiceToken,
            ["Nats:Url"] = Nats.Url,
            ["Nats:RequestTimeout"] = "00:00:02",
            ["Redis:Configuration"] = RedisConfiguration,
            ["Gateway:Id"] = name,
            // A small close limit so the slow-consumer test reaches it with a hundred or so gifts.
            ["Fanout:ChatDropBacklogBytes"] = "65536",
            ["Fanout:CloseBacklogBytes"] = "98304",
            ["Fanout:CloseGraceMs"] = "15000",
            // The shared per-user and room rates off: this cluster's tests flood from one user on purpose (the chat
            // budget storm, the slow consumer's gifts). SharedLimitsCluster runs them at their defaults.
            ["Limits:UserChatPerSecond"] = "0",
            ["Limits:UserGiftPerSecond"] = "0",
            ["Limits:RoomGiftsPerSecond"] = "0",
            // The fixture's teardown stops the hosts; draining them first is DrainCluster's subject, not this one's.
            ["Drain:OnShutdown"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:LiveIm"] = "Information",
        });
        builder.Configuration.AddInMemoryCollection(_overrides);
        builder.Logging.AddTestLogFile($"{GetType().Name}-{name}");
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        add(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        _apps.Add(app);
        return new Uri($"http://127.0.0.1:{port}");
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<LiveImCluster>
{
    public const string Name = "cluster";
}
