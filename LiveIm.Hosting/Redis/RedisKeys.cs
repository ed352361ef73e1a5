namespace LiveIm.Hosting.Redis;

/// <summary>
/// Every Redis key LiveIm writes, in one place (docs/operations.md lists them with their lifetimes); only the Redis
/// adapters use them. All keys of a room share the hash tag <c>{room:&lt;id&gt;}</c>, so a Redis Cluster keeps a
/// room's keys in one slot and the room's Lua scripts (which declare every key they touch in KEYS) stay on one shard.
/// Room ids are validated before they get here. Per-user rate state uses the hash tag <c>{user:&lt;id&gt;}</c>
/// instead: it is shared by every room and gateway of the user, so it is checked in its own script call. The gateway
/// registry (<c>{gateways}</c>) and the presence index and lease are one slot each for the whole deployment.
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

    /// <summary>
    /// Operator settings of a room: hash, no TTL (it outlives the room's traffic). Fields: <see cref="ChatBudgetField"/>.
    /// </summary>
    public static string RoomSettings(string roomId) => $"{Prefix}{{room:{roomId}}}:settings";

    /// <summary>Field of <see cref="RoomSettings"/>: the room's chat budget in lines/s (0 = unlimited); absent = the default.</summary>
    public const string ChatBudgetField = "chatBudget";

    /// <summary>Chat budget counters of one 1-second window: hash with <c>in</c> (viewer lines seen) and <c>out</c> (admitted).</summary>
    public static string ChatWindow(string roomId, long window) => $"{Prefix}{{room:{roomId}}}:chat:{window}";

    /// <summary>Users who had a chat line admitted in one 1-second window: set of user ids.</summary>
    public static string ChatWindowSenders(string roomId, long window) => $"{Prefix}{{room:{roomId}}}:chat:{window}:senders";

    /// <summary>Field of <see cref="RoomSettings"/>: slow mode, seconds between two chat lines of a viewer (absent or 0 = off).</summary>
    public const string SlowModeField = "slowMode";

    /// <summary>Users banned from the room: set of user ids, no TTL (until unbanned).</summary>
    public static string Bans(string roomId) => $"{Prefix}{{room:{roomId}}}:bans";

    /// <summary>A mute: string holding the ms time it ends, expiring then.</summary>
    public static string Mute(string roomId, string userId) => $"{Prefix}{{room:{roomId}}}:mute:{userId}";

    /// <summary>Slow mode: the ms time of the user's last admitted chat line, expiring after the slow-mode interval.</summary>
    public static string SlowModeLast(string roomId, string userId) => $"{Prefix}{{room:{roomId}}}:slow:{userId}";

    /// <summary>The room's gift rate (GCRA): string holding the theoretical arrival time in ms, expiring when idle.</summary>
    public static string RoomGiftRate(string roomId) => $"{Prefix}{{room:{roomId}}}:rate:gift";

    /// <summary>
    /// A user's send rate of one kind (<c>chat</c>, <c>gift</c>) over all rooms, connections and gateways (GCRA):
    /// string holding the theoretical arrival time in ms, expiring when idle. Hash tag <c>{user:&lt;id&gt;}</c>.
    /// </summary>
    public static string UserRate(string userId, string kind) => $"{Prefix}{{user:{userId}}}:rate:{kind}";

    /// <summary>
    /// One gateway's load report (<see cref="LiveIm.Core.Gateways.GatewayLoadReport"/> as JSON), expiring a few report intervals
    /// after it was written. Hash tag <c>{gateways}</c>: every gateway key sits in one slot, so one MGET reads them all.
    /// </summary>
    public static string GatewayLoad(string gatewayId) => $"{Prefix}{{gateways}}:load:{gatewayId}";

    /// <summary>Index of the gateways that reported: sorted set gateway id scored by the ms time its report expires.</summary>
    public static string GatewayIndex => $"{Prefix}{{gateways}}:index";

    /// <summary>The last online total RoomService broadcast to the room (string), so several instances broadcast a change once.</summary>
    public static string OnlineBroadcast(string roomId) => $"{Prefix}{{room:{roomId}}}:presence:sent";

    /// <summary>
    /// Rooms with live presence reports: sorted set room id scored by the ms time its latest report expires. One key
    /// for all rooms (no hash tag): RoomService reads it to know which rooms to broadcast to.
    /// </summary>
    public const string PresenceRooms = Prefix + "presence:rooms";

    /// <summary>Which RoomService instance runs the current broadcast pass (string, expires after one interval).</summary>
    public const string PresenceLease = Prefix + "presence:lease";

    /// <summary>
    /// The room's stream clock: hash with <c>epoch</c>, <c>offset</c> (server ms minus stream ms), <c>lastStream</c>,
    /// <c>lastArrival</c> and <c>window</c> (the sliding window's per-bucket minima). docs/stream-clock.md.
    /// </summary>
    public static string Clock(string roomId) => $"{Prefix}{{room:{roomId}}}:clock";

    /// <summary>Prefix of the replay sets of a room: <see cref="Replay"/> is this plus the epoch.</summary>
    public static string ReplayPrefix(string roomId) => $"{Prefix}{{room:{roomId}}}:replay:";

    /// <summary>
    /// Every event of one stream epoch of the room, for replay: sorted set, score <c>streamTs × 2^21 + n</c> (n breaks
    /// ties in id order), member the event's wire JSON. The stamping scripts get it in KEYS for the epoch the caller
    /// expects, and answer "epoch moved" instead of writing when the clock is in another one (lib/clock.lua).
    /// </summary>
    public static string Replay(string roomId, long epoch) => ReplayPrefix(roomId) + epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
