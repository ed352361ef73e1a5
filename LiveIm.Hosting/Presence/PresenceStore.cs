using System.Reflection;
using LiveIm.Core.Stores;
using LiveIm.Redis;

namespace LiveIm.Hosting.Presence;

/// <summary>
/// Presence in Redis, for gateways and RoomService alike: every read and write of a room's counts goes through the
/// one script <c>presence.lua</c> (report, read, broadcast check), so the purge of expired reports and the sum exist
/// once. Keys: <see cref="RedisKeys.PresenceCounts"/>, <see cref="RedisKeys.PresenceExpiry"/>,
/// <see cref="RedisKeys.OnlineBroadcast"/>, <see cref="RedisKeys.PresenceRooms"/>, <see cref="RedisKeys.PresenceLease"/>.
/// Cost: one script call per room per gateway per interval, whatever the number of viewers.
/// </summary>
public sealed class PresenceStore
{
    /// <summary>The script (embedded <c>Presence/presence.lua</c>).</summary>
    public static readonly RedisScript Script = new(ReadScript());

    private readonly IRedisClient _redis;

    public PresenceStore(IRedisClient redis)
    {
        _redis = redis;
    }

    /// <summary>
    /// Writes <paramref name="gatewayId"/>'s local member count of the room, counting for <paramref name="ttl"/> (0
    /// withdraws it). Returns no total: the reads purge expired reports and sum.
    /// </summary>
    public Task<RoomPresence> ReportAsync(string roomId, string gatewayId, long count, long nowMs, TimeSpan ttl, CancellationToken cancellationToken) =>
        RunAsync(roomId, "report", nowMs, gatewayId, count, (long)ttl.TotalMilliseconds, cancellationToken);

    /// <summary>The room's live total, leaving out <paramref name="exceptGatewayId"/>'s report when given.</summary>
    public Task<RoomPresence> ReadAsync(string roomId, string? exceptGatewayId, long nowMs, CancellationToken cancellationToken) =>
        RunAsync(roomId, "read", nowMs, exceptGatewayId ?? string.Empty, 0, 0, cancellationToken);

    /// <summary>The room's live total, and whether it differs from the last total broadcast (which it becomes).</summary>
    public Task<RoomPresence> CheckBroadcastAsync(string roomId, long nowMs, TimeSpan remember, CancellationToken cancellationToken) =>
        RunAsync(roomId, "broadcast", nowMs, string.Empty, 0, (long)remember.TotalMilliseconds, cancellationToken);

    /// <summary>Forgets the last total broadcast to the room (its broadcast failed): the next check reports a change.</summary>
    public Task ForgetBroadcastAsync(string roomId, CancellationToken cancellationToken) =>
        _redis.ExecuteAsync("DEL", [RedisKeys.OnlineBroadcast(roomId)], cancellationToken);

    /// <summary>Marks a gateway's rooms with members as live until <paramref name="expiryMs"/>: one command for all of them.</summary>
    public async Task MarkRoomsLiveAsync(IReadOnlyCollection<string> roomIds, long expiryMs, CancellationToken cancellationToken)
    {
        if (roomIds.Count == 0)
        {
            return;
        }

        var args = new List<RedisArg>(1 + (roomIds.Count * 2)) { RedisKeys.PresenceRooms };
        foreach (var roomId in roomIds)
        {
            args.Add(expiryMs);
            args.Add(roomId);
        }

        await _redis.ExecuteAsync("ZADD", args, cancellationToken);
    }

    /// <summary>Rooms some gateway reported members of within the TTL (forgetting the others).</summary>
    public async Task<IReadOnlyList<string>> LiveRoomsAsync(long nowMs, CancellationToken cancellationToken)
    {
        // Both go out in one pipeline flush.
        var purge = _redis.ExecuteAsync("ZREMRANGEBYSCORE", [RedisKeys.PresenceRooms, "-inf", nowMs], cancellationToken);
        var live = _redis.ExecuteAsync("ZRANGEBYSCORE", [RedisKeys.PresenceRooms, "(" + nowMs, "+inf"], cancellationToken);
        await purge;
        return (await live).AsArray().Select(v => v.AsString() ?? string.Empty).Where(r => r.Length > 0).ToList();
    }

    /// <summary>
    /// True when <paramref name="instanceId"/> may run this broadcast pass: the lease was free and is now its own for
    /// <paramref name="hold"/>. Several RoomService instances then run about one pass per interval between them.
    /// </summary>
    public async Task<bool> TryLeadAsync(string instanceId, TimeSpan hold, CancellationToken cancellationToken)
    {
        var ms = (long)hold.TotalMilliseconds;
        var taken = await _redis.ExecuteAsync("SET", [RedisKeys.PresenceLease, instanceId, "NX", "PX", ms], cancellationToken);
        return !taken.IsNull;
    }

    private async Task<RoomPresence> RunAsync(
        string roomId, string op, long nowMs, string gatewayId, long count, long ttlMs, CancellationToken cancellationToken)
    {
        var reply = (await _redis.EvalAsync(
            Script,
            [RedisKeys.PresenceCounts(roomId), RedisKeys.PresenceExpiry(roomId), RedisKeys.OnlineBroadcast(roomId)],
            [op, nowMs, gatewayId, count, ttlMs],
            cancellationToken)).AsArray();
        return new RoomPresence(reply[0].AsInt64(), (int)reply[1].AsInt64(), reply[2].AsInt64() == 1);
    }

    private static string ReadScript()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("presence.lua", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
