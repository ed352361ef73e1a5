using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Stores;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// chat_admit.lua against a real redis-server, through <see cref="IRoomStore.AdmitChatAsync"/>: the window and the
/// random draw are passed explicitly, so every case is deterministic.
/// </summary>
public sealed class ChatAdmitScriptTests : IClassFixture<RedisFixture>
{
    private const long Window = 1_000_000;
    private const double Wins = 0.0;   // a draw that wins whenever a draw can win
    private const double Loses = 0.99; // a draw that loses whenever the room is over budget

    private readonly RedisFixture _redis;
    private readonly string _room = "admit-" + Guid.NewGuid().ToString("N")[..10];

    public ChatAdmitScriptTests(RedisFixture redis)
    {
        _redis = redis;
    }

    private IRoomStore Store => _redis.Store;

    [Fact]
    public async Task An_unlimited_budget_admits_every_line_with_consecutive_ids()
    {
        var ids = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            var admission = await Admit("flooder", Window, Loses, defaultBudget: 0);
            Assert.True(admission.Admitted);
            ids.Add(admission.Id);
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task Privileged_senders_are_always_admitted_and_use_none_of_the_viewer_budget()
    {
        await FillAsync(Window - 1, 20, budget: 2); // over budget from the first line of Window
        for (var i = 0; i < 10; i++)
        {
            Assert.True((await Admit("host", Window, Loses, 2, privileged: true)).Admitted);
        }

        Assert.True((await Admit("v1", Window, Wins, 2)).Admitted);
        Assert.True((await Admit("v2", Window, Wins, 2)).Admitted);
        Assert.False((await Admit("v3", Window, Wins, 2)).Admitted);
        Assert.True((await Admit("host", Window, Loses, 2, privileged: true)).Admitted);
        Assert.Equal(("3", "2"), await CountersAsync(Window)); // in, out: the host's 11 lines are in neither
    }

    [Fact]
    public async Task Under_budget_every_line_is_admitted_whatever_the_draw_even_several_of_one_user()
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.True((await Admit("chatty", Window, Loses, 5)).Admitted);
        }
    }

    [Fact]
    public async Task A_window_admits_at_most_the_budget_even_when_every_draw_wins()
    {
        await FillAsync(Window - 1, 100, budget: 3);
        var admitted = new List<bool>();
        for (var i = 0; i < 10; i++)
        {
            admitted.Add((await Admit("user" + i, Window, Wins, 3)).Admitted);
        }

        Assert.Equal([true, true, true, false, false, false, false, false, false, false], admitted);
    }

    [Fact]
    public async Task In_an_over_budget_window_a_second_line_of_the_same_user_is_sampled()
    {
        await FillAsync(Window - 1, 20, budget: 5);
        Assert.True((await Admit("alice", Window, Wins, 5)).Admitted);
        Assert.False((await Admit("alice", Window, Wins, 5)).Admitted);
        Assert.True((await Admit("bob", Window, Wins, 5)).Admitted);
    }

    [Fact]
    public async Task Over_budget_a_line_is_admitted_only_when_the_draw_is_below_budget_over_rate()
    {
        await FillAsync(Window - 1, 20, budget: 5); // rate 20, budget 5: each line has a 0.25 chance
        var sampled = await Admit("at-threshold", Window, 0.25, 5);
        Assert.Equal(new ChatAdmission(false, 0), sampled);
        Assert.False((await Admit("above", Window, 0.9, 5)).Admitted);
        Assert.True((await Admit("below", Window, 0.2499, 5)).Admitted);
    }

    [Fact]
    public async Task The_rate_is_the_larger_of_the_previous_and_the_current_window()
    {
        await FillAsync(Window - 1, 12, budget: 10);
        for (var i = 0; i < 30; i++)
        {
            Assert.False((await Admit("flooder", Window, Loses, 10)).Admitted); // a spike: 30 lines so far
        }

        // By the previous window alone the chance would be 10/12; the spike makes it 10/31, then 10/32.
        Assert.False((await Admit("bob", Window, 0.5, 10)).Admitted);
        Assert.True((await Admit("carol", Window, 0.3, 10)).Admitted);
    }

    [Fact]
    public async Task A_new_window_starts_with_no_admitted_lines_and_no_admitted_senders()
    {
        await FillAsync(Window - 1, 10, budget: 2);
        Assert.True((await Admit("alice", Window, Wins, 2)).Admitted);
        Assert.True((await Admit("bob", Window, Wins, 2)).Admitted);
        Assert.False((await Admit("carol", Window, Wins, 2)).Admitted);
        Assert.False((await Admit("alice", Window, Wins, 2)).Admitted);

        // Window + 1 is still over budget (4 lines came in Window), but its count and its senders start afresh.
        Assert.True((await Admit("alice", Window + 1, Wins, 2)).Admitted);
        Assert.True((await Admit("carol", Window + 1, Wins, 2)).Admitted);
        Assert.False((await Admit("dave", Window + 1, Wins, 2)).Admitted);
    }

    [Fact]
    public async Task The_rooms_own_budget_wins_over_the_default_and_zero_means_unlimited()
    {
        await Store.SetChatBudgetAsync(_room, 1, CancellationToken.None);
        Assert.Equal(1, await Store.GetChatBudgetAsync(_room, CancellationToken.None));
        Assert.True((await Admit("alice", Window, Wins, defaultBudget: 100)).Admitted);
        Assert.False((await Admit("bob", Window, Wins, defaultBudget: 100)).Admitted); // 2 lines > 1: over, and full

        await Store.SetChatBudgetAsync(_room, 0, CancellationToken.None);
        Assert.Equal(0, await Store.GetChatBudgetAsync(_room, CancellationToken.None));
        for (var i = 0; i < 20; i++)
        {
            Assert.True((await Admit("bob", Window, Loses, defaultBudget: 1)).Admitted);
        }

        await Store.SetChatBudgetAsync(_room, null, CancellationToken.None);
        Assert.Null(await Store.GetChatBudgetAsync(_room, CancellationToken.None));
        await FillAsync(Window + 4, 3, budget: 100);
        Assert.True((await Admit("carol", Window + 5, Loses, defaultBudget: 100)).Admitted);
        Assert.False((await Admit("dave", Window + 5, Loses, defaultBudget: 2)).Admitted); // 3 lines before: over 2
    }

    [Fact]
    public async Task A_sampled_line_takes_no_id_and_admitted_lines_share_the_id_counter_of_the_other_lanes()
    {
        Assert.Equal(1, await Store.NextIdAsync(_room, CancellationToken.None)); // a like
        Assert.Equal((true, 2L), Decision(await Admit("alice", Window, Wins, 1)));
        Assert.Equal(new ChatAdmission(false, 0), await Admit("bob", Window, Wins, 1));
        Assert.Equal(3, await Store.NextIdAsync(_room, CancellationToken.None));
        Assert.Equal((true, 4L), Decision(await Admit("host", Window, Loses, 1, privileged: true)));
    }

    private static (bool Admitted, long Id) Decision(ChatAdmission admission) => (admission.Admitted, admission.Id);

    [Fact]
    public async Task Window_keys_expire_within_seconds_and_room_settings_do_not()
    {
        await Store.SetChatBudgetAsync(_room, 5, CancellationToken.None);
        Assert.True((await Admit("alice", Window, Wins, 20)).Admitted);
        Assert.InRange(await TtlAsync(RedisKeys.ChatWindow(_room, Window)), 1, 3);
        Assert.InRange(await TtlAsync(RedisKeys.ChatWindowSenders(_room, Window)), 1, 3);
        Assert.Equal(-1, await TtlAsync(RedisKeys.RoomSettings(_room)));
    }

    private Task<ChatAdmission> Admit(string user, long window, double draw, int defaultBudget, bool privileged = false) =>
        Store.AdmitChatAsync(
            _room, user, privileged, window * 1000, window, draw, defaultBudget, new EventDraft(LiveIm.Core.Events.RoomEventJson.Head(_room), ",\"lane\":\"chat\""u8.ToArray()),
            CancellationToken.None);

    /// <summary>Sends <paramref name="lines"/> lines of distinct users in <paramref name="window"/>: its incoming count.</summary>
    private async Task FillAsync(long window, int lines, int budget)
    {
        for (var i = 0; i < lines; i++)
        {
            await Admit("filler" + i, window, Loses, budget);
        }
    }

    private async Task<(string? In, string? Out)> CountersAsync(long window)
    {
        var key = RedisKeys.ChatWindow(_room, window);
        return ((string?)await _redis.Client.ExecuteAsync("HGET", key, "in"), (string?)await _redis.Client.ExecuteAsync("HGET", key, "out"));
    }

    private async Task<long> TtlAsync(string key) => (long)await _redis.Client.ExecuteAsync("TTL", key);
}
