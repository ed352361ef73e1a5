using LiveIm.Client;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Redis;
using LiveIm.Testing;
using Xunit;
using StackExchange.Redis;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Real NATS and Redis, RoomService in-process and three gateways as processes of their own
/// (<see cref="GatewayProcess"/>, configured by environment variables as deployed), reporting their load every
/// 500 ms, with a short drain (spread <see cref="SpreadSeconds"/> s, deadline <see cref="DeadlineSeconds"/> s) so that
/// a test can SIGTERM one and watch its clients move.
/// </summary>
public sealed class DrainCluster : IAsyncLifetime
{
    public const double SpreadSeconds = 3;
    public const double DeadlineSeconds = 7;

    private InProcessRoomService? _roomService;

    public NatsServer Nats { get; } = new();

    public RedisServer Redis { get; } = new();

    public RedisConnection Client { get; private set; } = null!;

    public Uri RoomServiceUrl { get; private set; } = null!;

    public GatewayProcess[] Gateways { get; private set; } = [];

    public LiveImTokens Tokens { get; } = new(new AuthSettings { SigningKey = LiveImCluster.SigningKey });

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        await Nats.StartAsync();
        await Redis.StartAsync();
        Client = await TestRedis.ConnectAsync(Redis.EndPoint);

        Gateways = new[] { "gwDrain0", "gwDrain1", "gwDrain2" }.Select(id => new GatewayProcess(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = LiveImCluster.SigningKey,
            ["Admin__Token"] = LiveImCluster.AdminToken,
            ["Nats__Url"] = Nats.Url,
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Gateway__Id"] = id,
            ["Registry__IntervalMs"] = "500",
            ["Registry__TtlMs"] = "1500",
            ["Drain__SpreadSeconds"] = SpreadSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Drain__DeadlineSeconds"] = DeadlineSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).ToArray();
        var starting = Gateways.Select(g => g.StartAsync(TimeSpan.FromSeconds(60))).ToList();

        _roomService = await InProcessRoomService.StartAsync(Nats.Url, Redis.EndPoint, "drain");
        RoomServiceUrl = _roomService.Url;
        await Task.WhenAll(starting);

        // Every gateway reports (so assignment knows it) and answers a join.
        await Eventually.TrueAsync(
            async () => ((RedisResult[])(await Client.ExecuteAsync("ZRANGEBYSCORE", RedisKeys.GatewayIndex, "(" + DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "+inf"))!).Length == 3,
            TimeSpan.FromSeconds(30), "the three gateways report their load");
        foreach (var gateway in Gateways)
        {
            await using var probe = new RoomClient(new RoomClientOptions { GatewayUrl = gateway.Url });
            await probe.ConnectAsync();
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await probe.JoinRoomAsync("warmup");
                    return true;
                }
                catch (RoomClientException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(30), "the gateway answers a join");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        if (_roomService is not null)
        {
            await _roomService.DisposeAsync();
        }

        Http.Dispose();
        await Client.DisposeAsync();
        await Redis.DisposeAsync();
        await Nats.DisposeAsync();
    }

    /// <summary>The gateway id <c>GET /api/gateways/assign</c> answers for <paramref name="roomId"/>, and its URL.</summary>
    public async Task<(string GatewayId, string Url)> AssignAsync(string roomId)
    {
        using var response = await Http.GetAsync(new Uri(RoomServiceUrl, "/api/gateways/assign?roomId=" + roomId));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"assign: HTTP {(int)response.StatusCode} {body}");
        }

        using var json = System.Text.Json.JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("gatewayId").GetString()!, json.RootElement.GetProperty("url").GetString()!);
    }
}

/// <summary>
/// Runs alone, after the parallel collections: three gateway processes and a few dozen clients would otherwise take
/// the two cores from timing-sensitive neighbours (a fan-out burst test), and the drain's own figures would be noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrainCollection : ICollectionFixture<DrainCluster>
{
    public const string Name = "drain";
}
