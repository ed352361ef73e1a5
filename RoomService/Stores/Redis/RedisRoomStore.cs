using System.Globalization;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Presence;
using LiveIm.Redis;
using LiveIm.RoomService.Limits;
using LiveIm.RoomService.Replay;
using LiveIm.RoomService.StreamClock;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Stores.Redis;

/// <summary><see cref="IRoomStore"/> on Redis through our RESP client. Keys: <see cref="RedisKeys"/>.</summary>
public sealed partial class RedisRoomStore : IRoomStore
{
    /// <summary>
    /// Lifetime of a chat window's keys. Window w is written during w and read as "the previous window" during w + 1,
    /// so it must outlive the end of w + 1 whenever in w it was created: 3 s leaves a second for clock skew between
    /// RoomService instances, and a hot room holds at most ~3 windows of counters.
    /// </summary>
    private const int ChatWindowTtlSeconds = 3;

    private readonly IRedisClient _redis;
    private readonly RoomStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly PresenceStore _presence;
    private readonly StreamClockOptions _clock;
    private readonly ReplayOptions _replay;

    public RedisRoomStore(
        IRedisClient redis, IOptions<RoomStoreOptions> options, TimeProvider time, IOptions<StreamClockOptions>? clock = null,
        IOptions<ReplayOptions>? replay = null)
    {
        _redis = redis;
        _presence = new PresenceStore(redis); // the gateways' presence script, one definition (LiveIm.Hosting)
        _options = options.Value;
        _time = time;
        _clock = clock?.Value ?? new StreamClockOptions();
        _replay = replay?.Value ?? new ReplayOptions();
    }

    /// <inheritdoc />
    public Task<long> NextIdAsync(string roomId, CancellationToken cancellationToken) =>
        Guard(async () => (await _redis.ExecuteAsync("INCR", RedisKeys.EventId(roomId))).AsInt64());

    /// <inheritdoc />
    public Task<ChatAdmission> AdmitChatAsync(
        string roomId, string userId, bool privileged, long nowMs, long window, double draw, int defaultBudget, byte[] head, byte[] openTail,
        CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var keys = new RedisArg[]
            {
                RedisKeys.EventId(roomId), RedisKeys.RoomSettings(roomId), RedisKeys.ChatWindow(roomId, window),
                RedisKeys.ChatWindow(roomId, window - 1), RedisKeys.ChatWindowSenders(roomId, window),
                RedisKeys.Bans(roomId), RedisKeys.Mute(roomId, userId), RedisKeys.SlowModeLast(roomId, userId), RedisKeys.Clock(roomId),
            };
            var args = new RedisArg[]
            {
                defaultBudget, privileged ? "1" : "0", userId, draw, ChatWindowTtlSeconds, nowMs, head, openTail,
                RedisKeys.ReplayPrefix(roomId), StaleMs, _replay.MaxCount, ReplayAgeMs,
            };
            var reply = (await _redis.EvalAsync(RoomScripts.ChatAdmit, keys, args, cancellationToken)).AsArray();
            var value = reply[1].AsInt64();
            return reply[0].AsInt64() switch
            {
                1 => new ChatAdmission(true, value, Json: reply[2].AsBytes() ?? []),
                -1 => new ChatAdmission(false, 0, ChatRefusal.Banned),
                -2 => new ChatAdmission(false, 0, ChatRefusal.Muted, value),
                -3 => new ChatAdmission(false, 0, ChatRefusal.SlowMode, value),
                _ => new ChatAdmission(false, 0),
            };
        });

    /// <inheritdoc />
    public Task<StampedEvent?> AppendLikeAsync(
        string roomId, string userId, bool privileged, byte[] head, byte[] openTail, long nowMs, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var reply = (await _redis.EvalAsync(
                RoomScripts.LikeId,
                new RedisArg[] { RedisKeys.EventId(roomId), RedisKeys.Bans(roomId), RedisKeys.Clock(roomId) },
                new RedisArg[]
                {
                    userId, privileged ? "1" : "0", head, openTail, nowMs, RedisKeys.ReplayPrefix(roomId), StaleMs, _replay.MaxCount, ReplayAgeMs,
                },
                cancellationToken)).AsArray();
            var id = reply[0].AsInt64();
            return id < 0 ? null : new StampedEvent(id, reply[1].AsBytes() ?? []);
        });

    /// <inheritdoc />
    public Task<bool> IsBannedAsync(string roomId, string userId, CancellationToken cancellationToken) =>
        Guard(async () => (await _redis.ExecuteAsync("SISMEMBER", RedisKeys.Bans(roomId), userId)).AsInt64() == 1);

    /// <inheritdoc />
    public Task<long> TakeRateAsync(string key, long nowMs, RateLimit limit, CancellationToken cancellationToken) =>
        Guard(async () => limit.IsOff
            ? 0
            : (await _redis.EvalAsync(
                RoomScripts.RateTake, new RedisArg[] { key }, new RedisArg[] { nowMs, limit.IntervalMs, Math.Max(1, limit.Burst), "take" }, cancellationToken)).AsInt64());

    /// <inheritdoc />
    public Task RefundRateAsync(string key, long nowMs, RateLimit limit, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            if (!limit.IsOff)
            {
                await _redis.EvalAsync(
                    RoomScripts.RateTake, new RedisArg[] { key }, new RedisArg[] { nowMs, limit.IntervalMs, Math.Max(1, limit.Burst), "refund" }, cancellationToken);
            }

            return true;
        });

    /// <inheritdoc />
    public Task<bool> IdempotencyRecordExistsAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        Guard(async () => (await _redis.ExecuteAsync("EXISTS", idempotencyKey)).AsInt64() == 1);

    /// <inheritdoc />
    public Task<ReliableAppend?> ModerateAsync(string roomId, byte[] head, byte[] openTail, ModerationWrite write, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var keys = new RedisArg[]
            {
                RedisKeys.EventId(roomId), RedisKeys.Seq(roomId), RedisKeys.History(roomId), RedisKeys.RoomSettings(roomId),
                RedisKeys.Bans(roomId), write.UserId is { } target ? RedisKeys.Mute(roomId, target) : RedisKeys.RoomSettings(roomId),
                RedisKeys.Clock(roomId),
            };
            var args = new RedisArg[]
            {
                head, openTail, _options.MaxCount, write.NowMs - (long)_options.MaxAge.TotalMilliseconds, (long)_options.MaxAge.TotalSeconds,
                write.Action, write.UserId ?? string.Empty, write.Seconds, write.UntilMs, write.NowMs, write.MessageId,
                RedisKeys.ReplayPrefix(roomId), StaleMs, _replay.MaxCount, ReplayAgeMs,
            };
            var reply = (await _redis.EvalAsync(RoomScripts.Moderate, keys, args, cancellationToken)).AsArray();
            if (reply[0].AsInt64() != 0)
            {
                return null;
            }

            return (ReliableAppend?)new ReliableAppend(reply[1].AsInt64(), reply[2].AsInt64(), reply[3].AsBytes() ?? [], false, false);
        });

    /// <inheritdoc />
    public Task<int?> GetChatBudgetAsync(string roomId, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            // Only the admin endpoint writes the field; a value set by hand that is not a whole number is ignored,
            // as chat_admit.lua ignores it.
            var text = (await _redis.ExecuteAsync("HGET", RedisKeys.RoomSettings(roomId), RedisKeys.ChatBudgetField)).AsString();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var budget) ? (int?)Math.Max(budget, 0) : null;
        });

    /// <inheritdoc />
    public Task SetChatBudgetAsync(string roomId, int? budgetPerSecond, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var settings = RedisKeys.RoomSettings(roomId);
            await (budgetPerSecond is { } budget
                ? _redis.ExecuteAsync("HSET", settings, RedisKeys.ChatBudgetField, budget)
                : _redis.ExecuteAsync("HDEL", settings, RedisKeys.ChatBudgetField));
            return true;
        });

    /// <inheritdoc />
    public Task<ReliableAppend> AppendReliableAsync(
        string roomId, byte[] head, byte[] openTail, string? idempotencyKey, AppendChecks? checks, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var now = checks?.NowMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
            var keys = new RedisArg[]
            {
                RedisKeys.EventId(roomId), RedisKeys.Seq(roomId), RedisKeys.History(roomId),
                idempotencyKey ?? RedisKeys.History(roomId), RedisKeys.Bans(roomId), RedisKeys.RoomGiftRate(roomId), RedisKeys.Clock(roomId),
            };
            var rate = checks?.RoomRate ?? default;
            var args = new RedisArg[]
            {
                head, openTail, _options.MaxCount, now - (long)_options.MaxAge.TotalMilliseconds,
                (long)_options.GiftIdempotencyTtl.TotalSeconds, (long)_options.MaxAge.TotalSeconds,
                idempotencyKey is null ? "0" : "1",
                checks?.UserId ?? string.Empty, checks?.Privileged == true ? "1" : "0", now, rate.IntervalMs, Math.Max(1, rate.Burst),
                RedisKeys.ReplayPrefix(roomId), StaleMs, _replay.MaxCount, ReplayAgeMs,
            };
            var reply = (await _redis.EvalAsync(RoomScripts.AppendReliable, keys, args, cancellationToken)).AsArray();
            switch (reply[0].AsInt64())
            {
                case -1:
                    return new ReliableAppend(0, 0, [], false, false, AppendRefusal.Banned);
                case -2:
                    return new ReliableAppend(0, 0, [], false, false, AppendRefusal.RoomRate, reply[1].AsInt64());
            }

            return new ReliableAppend(
                Id: reply[1].AsInt64(),
                Seq: reply[2].AsInt64(),
                Json: reply[3].AsBytes() ?? [],
                Duplicate: reply[0].AsInt64() == 1,
                Published: reply[4].AsString() == "1");
        });

    /// <inheritdoc />
    public Task MarkPublishedAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            // A plain HSET on a record that already expired would resurrect it without a TTL: touch live records only.
            await _redis.EvalAsync(RoomScripts.MarkPublished, new RedisArg[] { idempotencyKey }, Array.Empty<RedisArg>(), cancellationToken);
            return true;
        });

    /// <inheritdoc />
    public Task<long> CurrentSeqAsync(string roomId, CancellationToken cancellationToken) =>
        Guard(async () => (await _redis.ExecuteAsync("GET", RedisKeys.Seq(roomId))).AsNullableInt64() ?? 0);

    /// <inheritdoc />
    public Task<HistorySlice> ReadHistoryAsync(string roomId, long afterSeq, int limit, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            // Both commands go out in one pipeline flush; the seq is read first so the slice never claims
            // to cover events appended after it.
            var seqTask = _redis.ExecuteAsync("GET", RedisKeys.Seq(roomId));
            var rangeTask = _redis.ExecuteAsync(
                "ZRANGEBYSCORE", RedisKeys.History(roomId), "(" + afterSeq, "+inf", "WITHSCORES", "LIMIT", 0, limit);
            var seq = (await seqTask).AsNullableInt64() ?? 0;
            var flat = (await rangeTask).AsArray();
            var events = new List<(long, byte[])>(flat.Length / 2);
            for (var i = 0; i + 1 < flat.Length; i += 2)
            {
                var eventSeq = (long)flat[i + 1].AsDouble();
                if (eventSeq <= seq)
                {
                    events.Add((eventSeq, flat[i].AsBytes() ?? []));
                }
            }

            return new HistorySlice(seq, events);
        });

    /// <inheritdoc />
    public Task<long> OnlineElsewhereAsync(string roomId, string exceptGatewayId, CancellationToken cancellationToken) =>
        Guard(async () => (await _presence.ReadAsync(roomId, exceptGatewayId, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken)).Online);

    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RedisConnectionException ex)
        {
            throw new StoreUnavailableException("redis is not connected", ex);
        }
        catch (RedisTimeoutException ex)
        {
            throw new StoreUnavailableException("redis did not answer in time", ex);
        }
    }
}
