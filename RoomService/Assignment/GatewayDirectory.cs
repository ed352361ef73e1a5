using System.Text.Json;
using LiveIm.Core.Gateways;
using LiveIm.Core.Serialization;
using LiveIm.Core.Stores;
using LiveIm.Redis;

namespace LiveIm.RoomService.Assignment;

/// <summary>
/// Reads the gateways' state from Redis, pulled on each assignment (no cache: a draining gateway's report takes
/// effect with the next request): the fresh load reports (<see cref="RedisKeys.GatewayIndex"/>, then one MGET of
/// <see cref="RedisKeys.GatewayLoad"/>; an expired report is simply missing) and a room's presence counts
/// (<see cref="RedisKeys.PresenceCounts"/>, written by the gateways' presence reports). Two round trips, side by side.
/// </summary>
public sealed class GatewayDirectory
{
    private readonly IRedisClient _redis;
    private readonly TimeProvider _time;

    public GatewayDirectory(IRedisClient redis, TimeProvider time)
    {
        _redis = redis;
        _time = time;
    }

    /// <summary>The gateways whose report has not expired.</summary>
    public async Task<IReadOnlyList<GatewayLoadReport>> FreshReportsAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = await _redis.ZRangeByScoreAsync(RedisKeys.GatewayIndex, "(" + now, "+inf", cancellationToken: ct);
        if (ids.Length == 0)
        {
            return [];
        }

        var values = await _redis.MGetAsync(ids.Select(id => RedisKeys.GatewayLoad(id.AsString()!)).ToList(), ct);
        var reports = new List<GatewayLoadReport>(values.Length);
        foreach (var value in values)
        {
            if (value.AsString() is { } json && Parse(json) is { } report)
            {
                reports.Add(report);
            }
        }

        return reports;
    }

    /// <summary>Members of <paramref name="roomId"/> per gateway (empty for no room).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RoomMembersAsync(string? roomId, CancellationToken ct)
    {
        if (roomId is null)
        {
            return new Dictionary<string, long>();
        }

        var counts = await _redis.HGetAllAsync(RedisKeys.PresenceCounts(roomId), ct);
        return counts.ToDictionary(kv => kv.Key, kv => kv.Value.AsNullableInt64() ?? 0, StringComparer.Ordinal);
    }

    private static GatewayLoadReport? Parse(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, LiveImJson.Default.GatewayLoadReport);
        }
        catch (JsonException)
        {
            return null; // not ours, or a future shape: skip that gateway rather than fail every assignment
        }
    }
}
