using LiveIm.Core.Stores;
using LiveIm.Redis;
using LiveIm.RoomGateway.Rooms;

namespace LiveIm.RoomGateway.Presence;

/// <summary>
/// Reports this gateway's local member count per room to Redis every <see cref="Interval"/>, with an expiry of
/// <see cref="Ttl"/>: a gateway that dies stops counting by itself, without any clean-up job. The cost is one
/// script call per room per interval per gateway, whatever the number of viewers (no per-join Redis write).
/// The same call returns the room's total over every live gateway, which the room sends to its members
/// (<see cref="LocalRoom.SetOnline"/>: it rides along with the next frame when it changed).
/// </summary>
public sealed partial class PresenceReporter : BackgroundService
{
    /// <summary>How often counts are reported.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>How long a report counts: five intervals, so a slow Redis or a GC pause does not blink the count.</summary>
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private static readonly RedisScript Report = new("""
        -- KEYS[1] counts hash, KEYS[2] expiry zset; ARGV[1] gateway, ARGV[2] count, ARGV[3] expiry ms, ARGV[4] ttl ms,
        -- ARGV[5] now ms. Writes this gateway's count, forgets gateways whose report expired, returns the room total.
        if tonumber(ARGV[2]) > 0 then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
          redis.call('PEXPIRE', KEYS[2], ARGV[4])
        else
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('ZREM', KEYS[2], ARGV[1])
        end
        local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
        for _, gw in ipairs(dead) do
          redis.call('HDEL', KEYS[1], gw)
        end
        if #dead > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
        end
        local flat = redis.call('HGETALL', KEYS[1])
        local total = 0
        for i = 2, #flat, 2 do
          total = total + (tonumber(flat[i]) or 0)
        end
        return total
        """);

    private readonly IRedisClient _redis;
    private readonly RoomRegistry _registry;
    private readonly GatewayIdentity _gateway;
    private readonly ILogger<PresenceReporter> _logger;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public PresenceReporter(IRedisClient redis, RoomRegistry registry, GatewayIdentity gateway, ILogger<PresenceReporter> logger)
    {
        _redis = redis;
        _registry = registry;
        _gateway = gateway;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReportOnceAsync(stoppingToken);
            }
            catch (RedisException ex)
            {
                LogReportFailed(ex.Message);
            }
        }
    }

    /// <summary>Writes the current counts, and zero for rooms that emptied since the last report.</summary>
    public async Task ReportOnceAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var expiry = now.Add(Ttl).ToUnixTimeMilliseconds();
        var ttlMs = (long)Ttl.TotalMilliseconds;
        var current = new Dictionary<string, int>(StringComparer.Ordinal);
        var rooms = new Dictionary<string, LocalRoom>(StringComparer.Ordinal);
        foreach (var room in _registry.Rooms)
        {
            current[room.RoomId] = room.Count;
            rooms[room.RoomId] = room;
        }

        foreach (var gone in _reported.Where(r => !current.ContainsKey(r)).ToList())
        {
            current[gone] = 0;
        }

        var calls = current.Select(kv => _redis.EvalAsync(
            Report,
            new RedisArg[] { RedisKeys.PresenceCounts(kv.Key), RedisKeys.PresenceExpiry(kv.Key) },
            new RedisArg[] { _gateway.Id, kv.Value, expiry, ttlMs, now.ToUnixTimeMilliseconds() },
            ct)).ToList();
        var totals = await Task.WhenAll(calls);
        var i = 0;
        foreach (var roomId in current.Keys)
        {
            if (rooms.TryGetValue(roomId, out var room))
            {
                room.SetOnline(totals[i].AsInt64());
            }

            i++;
        }

        _reported.Clear();
        foreach (var (roomId, count) in current)
        {
            if (count > 0)
            {
                _reported.Add(roomId);
            }
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Presence report failed: {Reason}")]
    private partial void LogReportFailed(string reason);
}
