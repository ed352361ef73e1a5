using System.Collections.Concurrent;
using System.Globalization;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Presence;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Limits;
using LiveIm.RoomService.Replay;
using LiveIm.RoomService.StreamClock;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveIm.RoomService.Stores.Redis;

/// <summary>
/// <see cref="IRoomStore"/> on Redis, through the process's <see cref="RedisConnection"/> (which maps failures to
/// <see cref="StoreUnavailableException"/>). Keys: <see cref="RedisKeys"/>; every call touches keys of one hash slot.
/// Cancellation is not passed on: every call is bounded by <c>Redis:TimeoutMs</c>, and a command once sent runs anyway.
/// </summary>
public sealed partial class RedisRoomStore : IRoomStore
{
    /// <summary>
    /// Lifetime of a chat window's keys. Window w is written during w and read as "the previous window" during w + 1,
    /// so it must outlive the end of w + 1 whenever in w it was created: 3 s leaves a second for clock skew between
    /// RoomService instances, and a hot room holds at most ~3 windows of counters.
    /// </summary>
    private const int ChatWindowTtlSeconds = 3;

    /// <summary>What a stamping script answers, instead of writing, when the clock is in another epoch (lib/clock.lua).</summary>
    private const long EpochMoved = -100;

    /// <summary>
    /// Rooms whose replay epoch this instance remembers. 100,000 rooms at ~100 bytes is ~10 MB; past that the memory
    /// starts again from empty, which costs each room one more round trip.
    /// </summary>
    private const int MaxRememberedEpochs = 100_000;

    private readonly RedisConnection _redis;
    private readonly RoomStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly IPresenceStore _presence;
    private readonly StreamClockOptions _clock;
    private readonly ReplayOptions _replay;

    // The epoch of each room's clock as last seen: the stamping scripts are given that epoch's replay set in KEYS. A
    // guess, corrected by the script (EpochMoved) whenever a stream restarted or another instance saw the report.
    private readonly ConcurrentDictionary<string, long> _epochs = new(StringComparer.Ordinal);

    public RedisRoomStore(
        RedisConnection redis, IPresenceStore presence, IOptions<RoomStoreOptions> options, TimeProvider time,
        IOptions<StreamClockOptions>? clock = null, IOptions<ReplayOptions>? replay = null)
    {
        _redis = redis;
        _presence = presence;
        _options = options.Value;
        _time = time;
        _clock = clock?.Value ?? new StreamClockOptions();
        _replay = replay?.Value ?? new ReplayOptions();
    }

    /// <inheritdoc />
    public Task<long> NextIdAsync(string roomId, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.StringIncrementAsync(RedisKeys.EventId(roomId)));

    /// <inheritdoc />
    public async Task<ChatAdmission> AdmitChatAsync(
        string roomId, string userId, bool privileged, long nowMs, long window, double draw, int defaultBudget, EventDraft line,
        CancellationToken cancellationToken)
    {
        RedisKey[] keys =
        [
            RedisKeys.EventId(roomId), RedisKeys.RoomSettings(roomId), RedisKeys.ChatWindow(roomId, window),
            RedisKeys.ChatWindow(roomId, window - 1), RedisKeys.ChatWindowSenders(roomId, window),
            RedisKeys.Bans(roomId), RedisKeys.Mute(roomId, userId), RedisKeys.SlowModeLast(roomId, userId), RedisKeys.Clock(roomId),
            default, // the replay set: StampAsync
        ];
        RedisValue[] args =
        [
            defaultBudget, privileged ? "1" : "0", userId, draw, ChatWindowTtlSeconds, nowMs, line.Head, line.OpenTail,
            default, StaleMs, _replay.MaxCount, ReplayAgeMs,
        ];
        var reply = await StampAsync(roomId, RoomScripts.ChatAdmit, keys, 9, args, 8);
        var value = (long)reply[1];
        return (long)reply[0] switch
        {
            1 => new ChatAdmission(true, value, Json: (byte[]?)reply[2] ?? []),
            -1 => new ChatAdmission(false, 0, ChatRefusal.Banned),
            -2 => new ChatAdmission(false, 0, ChatRefusal.Muted, value),
            -3 => new ChatAdmission(false, 0, ChatRefusal.SlowMode, value),
            _ => new ChatAdmission(false, 0),
        };
    }

    /// <inheritdoc />
    public async Task<StampedEvent?> AppendLikeAsync(
        string roomId, string userId, bool privileged, EventDraft like, long nowMs, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [RedisKeys.EventId(roomId), RedisKeys.Bans(roomId), RedisKeys.Clock(roomId), default];
        RedisValue[] args = [userId, privileged ? "1" : "0", like.Head, like.OpenTail, nowMs, default, StaleMs, _replay.MaxCount, ReplayAgeMs];
        var reply = await StampAsync(roomId, RoomScripts.LikeId, keys, 3, args, 5);
        var id = (long)reply[0];
        return id < 0 ? null : new StampedEvent(id, (byte[]?)reply[1] ?? []);
    }

    /// <inheritdoc />
    public Task<bool> IsBannedAsync(string roomId, string userId, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.SetContainsAsync(RedisKeys.Bans(roomId), userId));

    /// <inheritdoc />
    public async Task<long> TakeUserRateAsync(string userId, SendKind kind, long nowMs, RateLimit limit, CancellationToken cancellationToken) =>
        limit.IsOff ? 0 : (long)await _redis.ScriptAsync(RoomScripts.RateTake, [UserRateKey(userId, kind)], [nowMs, limit.IntervalMs, Math.Max(1, limit.Burst), "take"]);

    /// <inheritdoc />
    public async Task RefundUserRateAsync(string userId, SendKind kind, long nowMs, RateLimit limit, CancellationToken cancellationToken)
    {
        if (!limit.IsOff)
        {
            await _redis.ScriptAsync(RoomScripts.RateTake, [UserRateKey(userId, kind)], [nowMs, limit.IntervalMs, Math.Max(1, limit.Burst), "refund"]);
        }
    }

    /// <inheritdoc />
    public Task<bool> GiftExistsAsync(string roomId, GiftKey gift, CancellationToken cancellationToken) =>
        _redis.RunAsync(db => db.KeyExistsAsync(GiftRecordKey(roomId, gift)));

    /// <inheritdoc />
    public async Task<ReliableAppend?> ModerateAsync(string roomId, EventDraft system, ModerationWrite write, CancellationToken cancellationToken)
    {
        RedisKey[] keys =
        [
            RedisKeys.EventId(roomId), RedisKeys.Seq(roomId), RedisKeys.History(roomId), RedisKeys.RoomSettings(roomId),
            RedisKeys.Bans(roomId), write.UserId is { } target ? RedisKeys.Mute(roomId, target) : RedisKeys.RoomSettings(roomId),
            RedisKeys.Clock(roomId), default,
        ];
        RedisValue[] args =
        [
            system.Head, system.OpenTail, _options.MaxCount, write.NowMs - (long)_options.MaxAge.TotalMilliseconds, (long)_options.MaxAge.TotalSeconds,
            write.Action, write.UserId ?? string.Empty, write.Seconds, write.UntilMs, write.NowMs, write.MessageId,
            default, StaleMs, _replay.MaxCount, ReplayAgeMs,
        ];
        var reply = await StampAsync(roomId, RoomScripts.Moderate, keys, 7, args, 11);
        if ((long)reply[0] != 0)
        {
            return null;
        }

        return new ReliableAppend((long)reply[1], (long)reply[2], (byte[]?)reply[3] ?? [], false, false);
    }

    /// <inheritdoc />
    public async Task<int?> GetChatBudgetAsync(string roomId, CancellationToken cancellationToken)
    {
        // Only the admin endpoint writes the field; a value set by hand that is not a whole number is ignored, as
        // chat_admit.lua ignores it.
        var text = (string?)await _redis.RunAsync(db => db.HashGetAsync(RedisKeys.RoomSettings(roomId), RedisKeys.ChatBudgetField));
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var budget) ? Math.Max(budget, 0) : null;
    }

    /// <inheritdoc />
    public Task SetChatBudgetAsync(string roomId, int? budgetPerSecond, CancellationToken cancellationToken)
    {
        var settings = RedisKeys.RoomSettings(roomId);
        return budgetPerSecond is { } budget
            ? _redis.RunAsync(db => db.HashSetAsync(settings, RedisKeys.ChatBudgetField, budget))
            : _redis.RunAsync(db => db.HashDeleteAsync(settings, RedisKeys.ChatBudgetField));
    }

    /// <inheritdoc />
    public async Task<ReliableAppend> AppendReliableAsync(
        string roomId, EventDraft reliable, GiftKey? gift, AppendChecks? checks, CancellationToken cancellationToken)
    {
        var now = checks?.NowMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds();
        RedisKey[] keys =
        [
            RedisKeys.EventId(roomId), RedisKeys.Seq(roomId), RedisKeys.History(roomId),
            gift is { } g ? GiftRecordKey(roomId, g) : RedisKeys.History(roomId), RedisKeys.Bans(roomId), RedisKeys.RoomGiftRate(roomId),
            RedisKeys.Clock(roomId), default,
        ];
        var rate = checks?.RoomRate ?? default;
        RedisValue[] args =
        [
            reliable.Head, reliable.OpenTail, _options.MaxCount, now - (long)_options.MaxAge.TotalMilliseconds,
            (long)_options.GiftIdempotencyTtl.TotalSeconds, (long)_options.MaxAge.TotalSeconds,
            gift is null ? "0" : "1",
            checks?.UserId ?? string.Empty, checks?.Privileged == true ? "1" : "0", now, rate.IntervalMs, Math.Max(1, rate.Burst),
            default, StaleMs, _replay.MaxCount, ReplayAgeMs,
        ];
        var reply = await StampAsync(roomId, RoomScripts.AppendReliable, keys, 7, args, 12);
        switch ((long)reply[0])
        {
            case -1:
                return new ReliableAppend(0, 0, [], false, false, AppendRefusal.Banned);
            case -2:
                return new ReliableAppend(0, 0, [], false, false, AppendRefusal.RoomRate, (long)reply[1]);
        }

        return new ReliableAppend(
            Id: (long)reply[1],
            Seq: (long)reply[2],
            Json: (byte[]?)reply[3] ?? [],
            Duplicate: (long)reply[0] == 1,
            Published: (string?)reply[4] == "1");
    }

    /// <inheritdoc />
    public Task MarkPublishedAsync(string roomId, GiftKey gift, CancellationToken cancellationToken) =>
        // A plain HSET on a record that already expired would resurrect it without a TTL: touch live records only.
        _redis.ScriptAsync(RoomScripts.MarkPublished, [GiftRecordKey(roomId, gift)], []);

    /// <inheritdoc />
    public async Task<long> CurrentSeqAsync(string roomId, CancellationToken cancellationToken) =>
        (long?)await _redis.RunAsync(db => db.StringGetAsync(RedisKeys.Seq(roomId))) ?? 0;

    /// <inheritdoc />
    public Task<HistorySlice> ReadHistoryAsync(string roomId, long afterSeq, int limit, CancellationToken cancellationToken) =>
        _redis.RunAsync(async db =>
        {
            // Both commands go out together; the seq is read first so the slice never claims to cover events appended
            // after it.
            var seqTask = db.StringGetAsync(RedisKeys.Seq(roomId));
            var rangeTask = db.SortedSetRangeByScoreWithScoresAsync(
                RedisKeys.History(roomId), afterSeq, double.PositiveInfinity, Exclude.Start, Order.Ascending, 0, limit);
            var seq = (long?)await seqTask ?? 0;
            var entries = await rangeTask;
            var events = new List<(long, byte[])>(entries.Length);
            foreach (var entry in entries)
            {
                var eventSeq = (long)entry.Score;
                if (eventSeq <= seq)
                {
                    events.Add((eventSeq, (byte[]?)entry.Element ?? []));
                }
            }

            return new HistorySlice(seq, events);
        });

    /// <inheritdoc />
    public async Task<long> OnlineElsewhereAsync(string roomId, string exceptGatewayId, long? record, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var presence = record is { } count && exceptGatewayId.Length > 0
            ? await _presence.JoinAsync(roomId, exceptGatewayId, count, now, ttl, cancellationToken)
            : await _presence.ReadAsync(roomId, exceptGatewayId, now, cancellationToken);
        return presence.Online;
    }

    private static RedisKey UserRateKey(string userId, SendKind kind) =>
        RedisKeys.UserRate(userId, kind == SendKind.Gift ? "gift" : "chat");

    private static RedisKey GiftRecordKey(string roomId, GiftKey gift) => RedisKeys.Gift(roomId, gift.UserId, gift.ClientMsgId);

    // Runs a stamping script with the replay set of the epoch this instance expects the room's clock to be in, and
    // again with the right one when the script says the clock has moved on (nothing was written the first time).
    // Three tries: a third epoch within one call means reports racing each other, which the next send resolves.
    private async Task<RedisResult[]> StampAsync(string roomId, RedisScript script, RedisKey[] keys, int replayKey, RedisValue[] args, int epochArg)
    {
        var epoch = _epochs.TryGetValue(roomId, out var known) ? known : 0;
        for (var attempt = 1; ; attempt++)
        {
            keys[replayKey] = RedisKeys.Replay(roomId, epoch);
            args[epochArg] = epoch;
            var reply = (RedisResult[])(await _redis.ScriptAsync(script, keys, args))!;
            if ((long)reply[0] != EpochMoved)
            {
                return reply;
            }

            epoch = (long)reply[1];
            RememberEpoch(roomId, epoch);
            if (attempt == 3)
            {
                throw new StoreUnavailableException("the room's stream clock changed epoch during the call; retry");
            }
        }
    }

    private void RememberEpoch(string roomId, long epoch)
    {
        if (_epochs.Count >= MaxRememberedEpochs)
        {
            _epochs.Clear();
        }

        _epochs[roomId] = epoch;
    }
}
