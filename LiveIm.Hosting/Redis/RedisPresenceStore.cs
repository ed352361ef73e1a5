using LiveIm.Hosting.Presence;
using StackExchange.Redis;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// <see cref="IPresenceStore"/> on Redis. Every read and write of a room's counts goes through the one script
/// <c>Scripts/presence.lua</c> (report, read, join snapshot, broadcast check), so the purge of expired reports and the sum exist
/// once. Keys: <see cref="RedisKeys.PresenceCounts"/>, <see cref="RedisKeys.PresenceExpiry"/> and
/// <see cref="RedisKeys.OnlineBroadcast"/> (the room's hash slot), <see cref="RedisKeys.PresenceRooms"/> and
/// <see cref="RedisKeys.PresenceLease"/> (one key each for the whole deployment). Cost: one script call per room per
/// gateway per interval, whatever the number of viewers. Cancellation is not passed on: every call is bounded by
/// <see cref="RedisSettings.TimeoutMs"/>, and a command once sent runs anyway.
/// </summary>
public sealed class RedisPresenceStore : IPresenceStore
{
    /// <summary>The script.</summary>
    public static readonly RedisScript Script = RedisScript.FromResources(typeof(RedisPresenceStore).Assembly, "presence.lua");

    private readonly RedisConnection _redis;

    public RedisPresenceStore(RedisConnection redis)
    {
        _redis = redis;
    }

    /// <inheritdoc />
    public Task ReportAsync(string roomId, string gatewayId, long count, long nowMs, TimeSpan ttl, CancellationToken cancellationToken) =>
        RunAsync(roomId, "report", nowMs, gatewayId, count, (long)ttl.TotalMilliseconds);

    /// <inheritdoc />
    public Task<RoomPresence> ReadAsync(string roomId, string? exceptGatewayId, long nowMs, CancellationToken cancellationToken) =>
        RunAsync(roomId, "read", nowMs, exceptGatewayId ?? string.Empty, 0, 0);

    /// <inheritdoc />
    public Task<RoomPresence> JoinAsync(string roomId, string gatewayId, long count, long nowMs, TimeSpan ttl, CancellationToken cancellationToken) =>
        RunAsync(roomId, "join", nowMs, gatewayId, count, (long)ttl.TotalMilliseconds);

    /// <inheritdoc />
    public Task<RoomPresence> CheckBroadcastAsync(string roomId, long nowMs, TimeSpan remember, CancellationToken cancellationToken) =>
        RunAsync(roomId, "broadcast", nowMs, string.Empty, 0, (long)remember.TotalMilliseconds);

    /// <inheritdoc />
    public Task ForgetBroadcastAsync(string roomId, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.KeyDeleteAsync(RedisKeys.OnlineBroadcast(roomId)));

    /// <inheritdoc />
    public async Task MarkRoomsLiveAsync(IReadOnlyCollection<string> roomIds, long expiryMs, CancellationToken cancellationToken)
    {
        if (roomIds.Count == 0)
        {
            return;
        }

        var entries = roomIds.Select(roomId => new SortedSetEntry(roomId, expiryMs)).ToArray();
        await _redis.RunAsync(db => db.SortedSetAddAsync(RedisKeys.PresenceRooms, entries));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<string>> LiveRoomsAsync(long nowMs, CancellationToken cancellationToken) =>
        _redis.RunAsync<IReadOnlyList<string>>(async db =>
        {
            // Both go out together (the multiplexer pipelines calls that are not awaited one by one).
            var purge = db.SortedSetRemoveRangeByScoreAsync(RedisKeys.PresenceRooms, double.NegativeInfinity, nowMs);
            var live = db.SortedSetRangeByScoreAsync(RedisKeys.PresenceRooms, nowMs, double.PositiveInfinity, Exclude.Start);
            await purge;
            return (await live).Select(v => v.ToString()).Where(r => r.Length > 0).ToList();
        });

    /// <inheritdoc />
    public Task<bool> TryLeadAsync(string instanceId, TimeSpan hold, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.StringSetAsync(RedisKeys.PresenceLease, instanceId, hold, When.NotExists));

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, long>> MembersByGatewayAsync(string roomId, CancellationToken cancellationToken) =>
        _redis.RunAsync<IReadOnlyDictionary<string, long>>(async db =>
            (await db.HashGetAllAsync(RedisKeys.PresenceCounts(roomId)))
                .ToDictionary(e => e.Name.ToString(), e => e.Value.TryParse(out long n) ? n : 0, StringComparer.Ordinal));

    private async Task<RoomPresence> RunAsync(string roomId, string op, long nowMs, string gatewayId, long count, long ttlMs)
    {
        var reply = (RedisResult[])(await _redis.ScriptAsync(
            Script,
            [RedisKeys.PresenceCounts(roomId), RedisKeys.PresenceExpiry(roomId), RedisKeys.OnlineBroadcast(roomId)],
            [op, nowMs, gatewayId, count, ttlMs]))!;
        return new RoomPresence((long)reply[0], (int)reply[1], (long)reply[2] == 1);
    }
}
