namespace LiveIm.Redis;

/// <summary>A sorted-set member with its score (ZRANGEBYSCORE ... WITHSCORES).</summary>
public readonly record struct RedisSortedSetEntry(RedisValue Member, double Score);
