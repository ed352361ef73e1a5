using System.Text;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Limits;
using LiveIm.RoomService.Stores;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The shared-limit and moderation scripts against a real redis-server, through the store (rate_take.lua with
/// lib/gcra.lua, chat_admit.lua's moderation checks, append_reliable.lua's checks, moderate.lua). Time is passed
/// in, so every case is exact and none depends on the machine's speed.
/// </summary>
public sealed class SharedLimitsScriptTests : IClassFixture<RedisFixture>
{
    private const long T = 1_763_740_000_000; // a realistic "now": ms values this big must keep their fractions
    private static readonly RateLimit TwoPerSecondBurstFive = new(2, 5);

    private readonly RedisFixture _redis;
    private readonly string _room = "limits-" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _user = "u-" + Guid.NewGuid().ToString("N")[..10];

    public SharedLimitsScriptTests(RedisFixture redis)
    {
        _redis = redis;
    }

    private string Key => RedisKeys.UserRate(_user, "chat");

    private IRoomStore Store => _redis.Store;

    [Fact]
    public async Task Gcra_allows_the_burst_at_once_then_refuses_with_the_exact_time_to_the_next_send()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, await Take(T, TwoPerSecondBurstFive));
        }

        Assert.Equal(500, await Take(T, TwoPerSecondBurstFive));
        Assert.Equal(100, await Take(T + 400, TwoPerSecondBurstFive));
        Assert.Equal(1, await Take(T + 499, TwoPerSecondBurstFive));
        Assert.Equal(0, await Take(T + 500, TwoPerSecondBurstFive)); // retrying after retryAfterMs succeeds
        Assert.Equal(500, await Take(T + 500, TwoPerSecondBurstFive)); // and took the one send that came back
    }

    [Fact]
    public async Task Gcra_refusals_cost_nothing_and_the_budget_refills_at_the_sustained_rate()
    {
        for (var i = 0; i < 5; i++)
        {
            await Take(T, TwoPerSecondBurstFive);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.True(await Take(T + 10, TwoPerSecondBurstFive) > 0); // hammering does not push the retry time out
        }

        // Two seconds later four sends came back (2/s), not five.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(0, await Take(T + 2000, TwoPerSecondBurstFive));
        }

        Assert.Equal(500, await Take(T + 2000, TwoPerSecondBurstFive));
    }

    [Fact]
    public async Task Gcra_keeps_fractional_intervals_exact_at_real_clock_values()
    {
        var threePerSecond = new RateLimit(3, 1); // interval 333.333 ms
        Assert.Equal(0, await Take(T, threePerSecond));
        Assert.Equal(1, await Take(T + 333, threePerSecond)); // 0.333 ms short, rounded up
        Assert.Equal(0, await Take(T + 334, threePerSecond));
        Assert.Equal(334, await Take(T + 334, threePerSecond)); // next at T + 667.333: 333.333 -> 334
        Assert.Equal(1, await Take(T + 667, threePerSecond));
        Assert.Equal(0, await Take(T + 668, threePerSecond));
    }

    [Fact]
    public async Task Gcra_key_expires_when_the_budget_would_be_full_again()
    {
        for (var i = 0; i < 3; i++)
        {
            await Take(T, TwoPerSecondBurstFive);
        }

        // The key's life is relative to the 'now' the script was given: 3 sends x 500 ms.
        Assert.InRange((long)await _redis.Client.ExecuteAsync("PTTL", Key), 1, 1500);
    }

    [Fact]
    public async Task A_refund_gives_one_send_back_and_a_full_budget_leaves_no_key()
    {
        for (var i = 0; i < 5; i++)
        {
            await Take(T, TwoPerSecondBurstFive);
        }

        Assert.True(await Take(T, TwoPerSecondBurstFive) > 0);
        await Store.RefundUserRateAsync(_user, SendKind.Chat, T, TwoPerSecondBurstFive, CancellationToken.None);
        Assert.Equal(0, await Take(T, TwoPerSecondBurstFive));

        await _redis.Client.ExecuteAsync("DEL", Key);
        await Take(T, TwoPerSecondBurstFive);
        await Store.RefundUserRateAsync(_user, SendKind.Chat, T, TwoPerSecondBurstFive, CancellationToken.None);
        Assert.Equal(0, (long)await _redis.Client.ExecuteAsync("EXISTS", Key));
    }

    [Fact]
    public async Task A_rate_of_zero_is_off()
    {
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(0, await Take(T, new RateLimit(0, 1)));
        }
    }

    [Fact]
    public async Task A_banned_viewer_is_refused_and_a_privileged_sender_never_is()
    {
        await Moderate(RoomEventTypes.Ban, "troll");
        Assert.Equal(ChatRefusal.Banned, (await Admit("troll", T)).Refusal);
        Assert.True((await Admit("troll", T, privileged: true)).Admitted); // the same id with a moderator token
        Assert.True((await Admit("fan", T)).Admitted);
        Assert.Null(await Store.AppendLikeAsync(_room, "troll", false, new EventDraft(RoomEventJson.Head(_room), ",\"lane\":\"like\""u8.ToArray()), T, CancellationToken.None));
        Assert.True(await Store.IsBannedAsync(_room, "troll", CancellationToken.None));

        await Moderate(RoomEventTypes.Unban, "troll");
        Assert.True((await Admit("troll", T)).Admitted);
        Assert.False(await Store.IsBannedAsync(_room, "troll", CancellationToken.None));
    }

    [Fact]
    public async Task A_mute_refuses_chat_until_it_ends_and_says_when()
    {
        await Moderate(RoomEventTypes.Mute, "loud", seconds: 60, untilMs: T + 60_000);
        var refused = await Admit("loud", T + 1000);
        Assert.Equal(new ChatAdmission(false, 0, ChatRefusal.Muted, T + 60_000), refused);
        Assert.True((await Admit("loud", T + 60_000)).Admitted); // the script compares with its own 'now' too
        Assert.InRange((long)await _redis.Client.ExecuteAsync("PTTL", RedisKeys.Mute(_room, "loud")), 1, 60_000);

        await Moderate(RoomEventTypes.Unmute, "loud");
        Assert.True((await Admit("loud", T + 2000)).Admitted);
    }

    [Fact]
    public async Task Slow_mode_admits_one_line_per_interval_per_viewer_and_exempts_privileged_senders()
    {
        await Moderate(RoomEventTypes.SlowMode, null, seconds: 10);
        Assert.True((await Admit("a", T)).Admitted);
        Assert.Equal(new ChatAdmission(false, 0, ChatRefusal.SlowMode, 7000), await Admit("a", T + 3000));
        Assert.True((await Admit("b", T + 3000)).Admitted); // per user
        Assert.True((await Admit("host", T, privileged: true)).Admitted);
        Assert.True((await Admit("host", T + 1, privileged: true)).Admitted);
        Assert.True((await Admit("a", T + 10_000)).Admitted);

        await Moderate(RoomEventTypes.SlowMode, null, seconds: 0);
        Assert.Null((string?)await _redis.Client.ExecuteAsync("HGET", RedisKeys.RoomSettings(_room), RedisKeys.SlowModeField));
        Assert.True((await Admit("a", T + 10_001)).Admitted);
    }

    [Fact]
    public async Task A_gift_retry_is_a_duplicate_before_the_ban_and_the_room_rate_are_looked_at()
    {
        var oneGift = new RateLimit(1, 1);
        var key = new GiftKey("giver", "m1");
        var first = await Gift(key, new AppendChecks("giver", false, T, oneGift));
        Assert.Equal((AppendRefusal.None, false, 1L), (first.Refusal, first.Duplicate, first.Seq));

        var refused = await Gift(new GiftKey("giver", "m2"), new AppendChecks("giver", false, T + 1, oneGift));
        Assert.Equal((AppendRefusal.RoomRate, 999L), (refused.Refusal, refused.RetryAfterMs));

        await Moderate(RoomEventTypes.Ban, "giver");
        var retry = await Gift(key, new AppendChecks("giver", false, T + 2, oneGift));
        Assert.Equal((AppendRefusal.None, true, 1L), (retry.Refusal, retry.Duplicate, retry.Seq));
        Assert.Equal(AppendRefusal.Banned, (await Gift(new GiftKey("giver", "m3"), new AppendChecks("giver", false, T + 5000, oneGift))).Refusal);
        Assert.Equal(AppendRefusal.None, (await Gift(new GiftKey("host", "m4"), new AppendChecks("giver", true, T + 5000, oneGift))).Refusal);
    }

    [Fact]
    public async Task A_moderation_action_and_its_state_are_one_reliable_event_in_history()
    {
        var mute = await Moderate(RoomEventTypes.Mute, "loud", seconds: 30, untilMs: T + 30_000);
        var ban = await Moderate(RoomEventTypes.Ban, "troll");
        Assert.Equal((1L, 2L), (mute!.Seq, ban!.Seq));
        var history = await Store.ReadHistoryAsync(_room, 0, 10, CancellationToken.None);
        var events = history.Events.Select(e => RoomEventJson.Deserialize(e.Json)).ToList();
        Assert.Equal([RoomEventTypes.Mute, RoomEventTypes.Ban], events.Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(Lane.System, e.Lane));
        Assert.Equal(new ModerationInfo("loud", 30, T + 30_000), events[0].Moderation);
        Assert.Equal("mod", events[1].From!.UserId);
    }

    [Fact]
    public async Task Deleting_an_id_the_room_never_gave_out_writes_nothing()
    {
        Assert.Null(await Moderate(RoomEventTypes.Delete, null, messageId: 5));
        Assert.Equal(0, await Store.CurrentSeqAsync(_room, CancellationToken.None));
        var id = await Store.NextIdAsync(_room, CancellationToken.None);
        var deleted = await Moderate(RoomEventTypes.Delete, null, messageId: id);
        Assert.Equal((id + 1, 1L), (deleted!.Id, deleted.Seq));
    }

    private Task<long> Take(long now, RateLimit limit) => Store.TakeUserRateAsync(_user, SendKind.Chat, now, limit, CancellationToken.None);

    private Task<ChatAdmission> Admit(string user, long now, bool privileged = false) =>
        Store.AdmitChatAsync(_room, user, privileged, now, now / 1000, 0.0, 0, new EventDraft(RoomEventJson.Head(_room), ",\"lane\":\"chat\""u8.ToArray()), CancellationToken.None);

    private Task<ReliableAppend> Gift(GiftKey key, AppendChecks checks)
    {
        var e = new RoomEvent
        {
            RoomId = _room, Lane = Lane.Gift, Type = RoomEventTypes.Gift, From = new EventSender(checks.UserId, "G", Roles.Viewer),
            Gift = new GiftInfo("rose", 1), ServerTs = checks.NowMs,
        };
        return Store.AppendReliableAsync(_room, EventDraft.Of(e), key, checks, CancellationToken.None);
    }

    private Task<ReliableAppend?> Moderate(string action, string? user, int seconds = 0, long untilMs = 0, long messageId = 0)
    {
        var e = new RoomEvent
        {
            RoomId = _room, Lane = Lane.System, Type = action, From = new EventSender("mod", "MOD", Roles.Moderator),
            Moderation = new ModerationInfo(user, action is RoomEventTypes.Mute or RoomEventTypes.SlowMode ? seconds : null,
                untilMs == 0 ? null : untilMs, messageId == 0 ? null : messageId),
            ServerTs = T,
        };
        return Store.ModerateAsync(_room, EventDraft.Of(e), new ModerationWrite(action, user, seconds, untilMs, messageId, T), CancellationToken.None);
    }
}
