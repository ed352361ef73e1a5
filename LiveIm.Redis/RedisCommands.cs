using System.Globalization;

namespace LiveIm.Redis;

/// <summary>
/// Typed commands LiveIm uses, each a thin call to <see cref="IRedisClient.ExecuteAsync(string, IReadOnlyList{RedisArg}, CancellationToken)"/>
/// that shapes the reply. Errors, timeouts and connection loss surface exactly as for ExecuteAsync.
/// Values are <see cref="RedisArg"/>, so strings, numbers and bytes all fit.
/// </summary>
public static class RedisCommands
{
    /// <summary>GET key → the value, or <see cref="RedisValue.Null"/> when the key does not exist.</summary>
    public static Task<RedisValue> GetAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        client.ExecuteAsync("GET", [key], cancellationToken);

    /// <summary>
    /// SET key value [PX ms] [NX] → true if the value was set; false only when
    /// <paramref name="onlyIfNotExists"/> is set and the key already existed.
    /// </summary>
    public static async Task<bool> SetAsync(
        this IRedisClient client,
        string key,
        RedisArg value,
        TimeSpan? expiry = null,
        bool onlyIfNotExists = false,
        CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg>(5) { key, value };
        if (expiry is { } ttl)
        {
            args.Add("PX");
            args.Add(ToWholeMilliseconds(ttl));
        }

        if (onlyIfNotExists)
        {
            args.Add("NX");
        }

        // "+OK" when set; a null bulk string when NX found the key.
        var reply = await client.ExecuteAsync("SET", args, cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    /// <summary>DEL key → true if the key existed.</summary>
    public static async Task<bool> DelAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("DEL", [key], cancellationToken).ConfigureAwait(false)).AsInt64() > 0;

    /// <summary>DEL key [key ...] → how many of the keys existed.</summary>
    public static async Task<long> DelAsync(this IRedisClient client, IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("DEL", ToArgs(keys), cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>EXISTS key → true if the key exists.</summary>
    public static async Task<bool> ExistsAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("EXISTS", [key], cancellationToken).ConfigureAwait(false)).AsInt64() > 0;

    /// <summary>INCR key → the value after the increment (a missing key counts from 0).</summary>
    public static async Task<long> IncrAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("INCR", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>INCRBY key increment → the value after the increment.</summary>
    public static async Task<long> IncrByAsync(this IRedisClient client, string key, long increment, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("INCRBY", [key, increment], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>EXPIRE key seconds → true if the key exists and got the timeout. Sub-second parts round up.</summary>
    public static async Task<bool> ExpireAsync(this IRedisClient client, string key, TimeSpan expiry, CancellationToken cancellationToken = default)
    {
        var seconds = (long)Math.Ceiling(expiry.TotalSeconds);
        return (await client.ExecuteAsync("EXPIRE", [key, seconds], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;
    }

    /// <summary>PEXPIRE key milliseconds → true if the key exists and got the timeout.</summary>
    public static async Task<bool> PExpireAsync(this IRedisClient client, string key, TimeSpan expiry, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("PEXPIRE", [key, ToWholeMilliseconds(expiry)], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>TTL key → remaining seconds, <c>-1</c> if the key has no expiry, <c>-2</c> if it does not exist (as Redis answers).</summary>
    public static async Task<long> TtlAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("TTL", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>MGET key [key ...] → one value per key, in order; <see cref="RedisValue.Null"/> for missing keys.</summary>
    public static async Task<RedisValue[]> MGetAsync(this IRedisClient client, IReadOnlyList<string> keys, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("MGET", ToArgs(keys), cancellationToken).ConfigureAwait(false)).AsArray();

    /// <summary>HSET key field value → true if the field is new (false if it was overwritten).</summary>
    public static async Task<bool> HSetAsync(this IRedisClient client, string key, string field, RedisArg value, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("HSET", [key, field, value], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>HSET key field value [field value ...] → how many fields were new.</summary>
    public static async Task<long> HSetAsync(
        this IRedisClient client, string key, IReadOnlyList<KeyValuePair<string, RedisArg>> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var args = new RedisArg[1 + (2 * fields.Count)];
        args[0] = key;
        for (var i = 0; i < fields.Count; i++)
        {
            args[1 + (2 * i)] = fields[i].Key;
            args[2 + (2 * i)] = fields[i].Value;
        }

        return (await client.ExecuteAsync("HSET", args, cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>HGET key field → the value, or <see cref="RedisValue.Null"/>.</summary>
    public static Task<RedisValue> HGetAsync(this IRedisClient client, string key, string field, CancellationToken cancellationToken = default) =>
        client.ExecuteAsync("HGET", [key, field], cancellationToken);

    /// <summary>HGETALL key → every field and value (empty for a missing key).</summary>
    public static async Task<Dictionary<string, RedisValue>> HGetAllAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default)
    {
        // RESP2 flattens the hash: field1, value1, field2, value2, ...
        var flat = (await client.ExecuteAsync("HGETALL", [key], cancellationToken).ConfigureAwait(false)).AsArray();
        var result = new Dictionary<string, RedisValue>(flat.Length / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            result[flat[i].AsString()!] = flat[i + 1];
        }

        return result;
    }

    /// <summary>HINCRBY key field increment → the field's value after the increment.</summary>
    public static async Task<long> HIncrByAsync(this IRedisClient client, string key, string field, long increment, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("HINCRBY", [key, field, increment], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>HDEL key field → true if the field existed.</summary>
    public static async Task<bool> HDelAsync(this IRedisClient client, string key, string field, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("HDEL", [key, field], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>ZADD key score member → true if the member is new (false if only its score changed).</summary>
    public static async Task<bool> ZAddAsync(this IRedisClient client, string key, double score, RedisArg member, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZADD", [key, score, member], cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>
    /// ZRANGEBYSCORE key min max [LIMIT skip take] → members by ascending score. <paramref name="min"/> and
    /// <paramref name="max"/> take doubles (infinities become <c>-inf</c>/<c>+inf</c>) or Redis syntax such as
    /// <c>"(5"</c> for exclusive bounds. LIMIT is sent when <paramref name="take"/> is not negative or
    /// <paramref name="skip"/> is positive; a negative take means "all".
    /// </summary>
    public static async Task<RedisValue[]> ZRangeByScoreAsync(
        this IRedisClient client, string key, RedisArg min, RedisArg max, long skip = 0, long take = -1, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZRANGEBYSCORE", RangeByScoreArgs(key, min, max, skip, take, withScores: false), cancellationToken)
            .ConfigureAwait(false)).AsArray();

    /// <summary>ZRANGEBYSCORE key min max WITHSCORES [LIMIT skip take] → members with their scores.</summary>
    public static async Task<RedisSortedSetEntry[]> ZRangeByScoreWithScoresAsync(
        this IRedisClient client, string key, RedisArg min, RedisArg max, long skip = 0, long take = -1, CancellationToken cancellationToken = default)
    {
        var flat = (await client.ExecuteAsync("ZRANGEBYSCORE", RangeByScoreArgs(key, min, max, skip, take, withScores: true), cancellationToken)
            .ConfigureAwait(false)).AsArray();
        var entries = new RedisSortedSetEntry[flat.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new RedisSortedSetEntry(flat[2 * i], flat[(2 * i) + 1].AsDouble());
        }

        return entries;
    }

    /// <summary>ZREMRANGEBYSCORE key min max → how many members were removed.</summary>
    public static async Task<long> ZRemRangeByScoreAsync(this IRedisClient client, string key, RedisArg min, RedisArg max, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZREMRANGEBYSCORE", [key, min, max], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>ZREMRANGEBYRANK key start stop → how many members were removed (ranks are 0-based; negative counts from the end).</summary>
    public static async Task<long> ZRemRangeByRankAsync(this IRedisClient client, string key, long start, long stop, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZREMRANGEBYRANK", [key, start, stop], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>ZCARD key → the number of members (0 for a missing key).</summary>
    public static async Task<long> ZCardAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("ZCARD", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    /// <summary>
    /// XADD key [MAXLEN ~ n] id field value [field value ...] → the id of the new entry. With
    /// <paramref name="maxLength"/>, old entries are trimmed approximately (<c>~</c>: whole macro nodes
    /// only, which is much cheaper than exact trimming), so the stream may keep a few more than n.
    /// </summary>
    public static async Task<string> XAddAsync(
        this IRedisClient client,
        string key,
        IReadOnlyList<KeyValuePair<string, RedisArg>> fields,
        long? maxLength = null,
        string id = "*",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            throw new ArgumentException("A stream entry needs at least one field.", nameof(fields));
        }

        var args = new List<RedisArg>(5 + (2 * fields.Count)) { key };
        if (maxLength is { } max)
        {
            args.Add("MAXLEN");
            args.Add("~");
            args.Add(max);
        }

        args.Add(id);
        foreach (var (field, value) in fields)
        {
            args.Add(field);
            args.Add(value);
        }

        return (await client.ExecuteAsync("XADD", args, cancellationToken).ConfigureAwait(false)).AsString()!;
    }

    /// <summary>XRANGE key start end [COUNT n] → entries with ids in [start, end]; <c>-</c> and <c>+</c> mean the ends of the stream.</summary>
    public static async Task<RedisStreamEntry[]> XRangeAsync(
        this IRedisClient client, string key, string start = "-", string end = "+", long? count = null, CancellationToken cancellationToken = default)
    {
        var args = new List<RedisArg>(5) { key, start, end };
        if (count is { } n)
        {
            args.Add("COUNT");
            args.Add(n);
        }

        // Each entry is a two-element array: [id, [field1, value1, field2, value2, ...]].
        var reply = (await client.ExecuteAsync("XRANGE", args, cancellationToken).ConfigureAwait(false)).AsArray();
        var entries = new RedisStreamEntry[reply.Length];
        for (var i = 0; i < reply.Length; i++)
        {
            var entry = reply[i].AsArray();
            var flat = entry[1].AsArray();
            var fields = new KeyValuePair<string, RedisValue>[flat.Length / 2];
            for (var f = 0; f < fields.Length; f++)
            {
                fields[f] = new KeyValuePair<string, RedisValue>(flat[2 * f].AsString()!, flat[(2 * f) + 1]);
            }

            entries[i] = new RedisStreamEntry(entry[0].AsString()!, fields);
        }

        return entries;
    }

    /// <summary>XLEN key → the number of entries (0 for a missing key).</summary>
    public static async Task<long> XLenAsync(this IRedisClient client, string key, CancellationToken cancellationToken = default) =>
        (await client.ExecuteAsync("XLEN", [key], cancellationToken).ConfigureAwait(false)).AsInt64();

    private static RedisArg[] ToArgs(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var args = new RedisArg[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            args[i] = keys[i];
        }

        return args;
    }

    private static List<RedisArg> RangeByScoreArgs(string key, RedisArg min, RedisArg max, long skip, long take, bool withScores)
    {
        var args = new List<RedisArg>(7) { key, min, max };
        if (withScores)
        {
            args.Add("WITHSCORES");
        }

        if (take >= 0 || skip > 0)
        {
            args.Add("LIMIT");
            args.Add(skip);
            args.Add(take);
        }

        return args;
    }

    // PX takes whole milliseconds and rejects 0; round up so a tiny expiry never becomes "no expiry" or an error.
    private static long ToWholeMilliseconds(TimeSpan value) =>
        Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds));
}
