using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The cluster with the shared limits on: per-user chat at its defaults (2/s, burst 5), and gift rates low enough
/// that a test reaches them with a handful of gifts (per user 2/s burst 3, per room 5/s burst 8: a user's own limit
/// comes before the room's, and three users together reach the room's).
/// </summary>
public sealed class SharedLimitsCluster : LiveImCluster
{
    public SharedLimitsCluster()
        // The gateway's own per-connection limits are out of the way: these tests are about RoomService's shared
        // limits and moderation, and must see their answers, not the gateway's.
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay)
        {
            ["Limits:UserChatPerSecond"] = "2",
            ["Limits:UserChatBurst"] = "5",
            ["Limits:UserGiftPerSecond"] = "2",
            ["Limits:UserGiftBurst"] = "3",
            ["Limits:RoomGiftsPerSecond"] = "5",
            ["Limits:RoomGiftBurst"] = "8",
        })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class SharedLimitsCollection : ICollectionFixture<SharedLimitsCluster>
{
    public const string Name = "shared-limits";
}
