using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="LiveImCluster"/> plus one more gateway in a process of its own (<see cref="Target"/>), on the same NATS
/// and Redis: the gateway the hostile-input suite attacks, whose memory it reads.
/// </summary>
public sealed class HostileCluster : LiveImCluster
{
    public HostileCluster()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay)
        {
            // The public replay endpoint's per-address limit, low enough for a test to pass it in a few calls.
            ["Replay:PerIpPerSecond"] = "2",
            ["Replay:PerIpBurst"] = "3",
        })
    {
    }

    public GatewayProcess Target { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Target = new GatewayProcess(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Admin__Token"] = AdminToken,
            ["Nats__Url"] = Nats.Url,
            ["Nats__RequestTimeout"] = "00:00:02",
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Gateway__Id"] = "gwHostile",
        });
        await Target.StartAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = Target.Url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/healthz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the gateway process answers /healthz");
    }

    public override async Task DisposeAsync()
    {
        await Target.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileCluster>
{
    public const string Name = "hostile";
}
