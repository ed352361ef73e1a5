namespace LiveIm.Core.Stores;

/// <summary>
/// Every Redis key LiveIm writes, in one place (docs/operations.md lists them with their lifetimes).
/// All keys of a room share the hash tag <c>{room:&lt;id&gt;}</c>, so a Redis Cluster keeps a room's keys on one
/// shard and the room's Lua scripts stay single-shard. Room ids are validated before they get here.
/// </summary>
public static class RedisKeys
{
    /// <summary>Root of every key.</summary>
    public const string Prefix = "liveim:";

    /// <summary>Room-unique event id counter (all lanes).</summary>
    public static string EventId(string roomId) => $"{Prefix}{{room:{roomId}}}:eid";

    /// <summary>Reliable-lane sequence counter.</summary>
    public static string Seq(string roomId) => $"{Prefix}{{room:{roomId}}}:seq";

    /// <summary>Reliable-lane history: sorted set scored by seq, members are the events' wire JSON.</summary>
    public static string History(string roomId) => $"{Prefix}{{room:{roomId}}}:history";

    /// <summary>Idempotency record of one gift: hash with id, seq, json, published.</summary>
    public static string Gift(string roomId, string userId, string clientMsgId) =>
        $"{Prefix}{{room:{roomId}}}:gift:{userId}:{clientMsgId}";

    /// <summary>Presence counts: hash gatewayId → local member count.</summary>
    public static string PresenceCounts(string roomId) => $"{Prefix}{{room:{roomId}}}:presence";

    /// <summary>Presence expiry: sorted set gatewayId scored by the ms time its report expires.</summary>
    public static string PresenceExpiry(string roomId) => $"{Prefix}{{room:{roomId}}}:presence:exp";
}
