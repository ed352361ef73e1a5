using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="LiveImCluster"/> with presence every second (a report counts 5 s) plus one gateway in a process of its
/// own (<see cref="Doomed"/>), which the presence tests kill with SIGKILL: a crash, no clean-up of any kind.
/// </summary>
public sealed class PresenceCluster : LiveImCluster
{
    /// <summary>The presence interval of every process here, seconds.</summary>
    public const int IntervalSeconds = 1;

    public PresenceCluster()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay) { ["Presence:IntervalSeconds"] = IntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
    {
    }

    public GatewayProcess Doomed { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Doomed = new GatewayProcess(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Nats__Url"] = Nats.Url,
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Gateway__Id"] = "gwDoomed",
            ["Presence__IntervalSeconds"] = IntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await Doomed.StartReadyAsync();
    }

    public override async Task DisposeAsync()
    {
        await Doomed.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PresenceCollection : ICollectionFixture<PresenceCluster>
{
    public const string Name = "presence";
}
