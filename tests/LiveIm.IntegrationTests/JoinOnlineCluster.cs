using System.Globalization;
using LiveIm.Hosting.Presence;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="LiveImCluster"/> with the longest presence interval (10 s): no periodic report lands during a test of
/// a few seconds, so a join reply that counts another gateway's members shows that the joins and leaves themselves
/// wrote them, not the report.
/// </summary>
public sealed class JoinOnlineCluster : LiveImCluster
{
    /// <summary>The presence interval of every process here, seconds.</summary>
    public const int IntervalSeconds = PresenceOptions.MaxIntervalSeconds;

    public JoinOnlineCluster()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay) { ["Presence:IntervalSeconds"] = IntervalSeconds.ToString(CultureInfo.InvariantCulture) })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class JoinOnlineCollection : ICollectionFixture<JoinOnlineCluster>
{
    public const string Name = "join-online";
}
