using System.Collections.Concurrent;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The room chat budget end to end: senders on gateway B, receivers on gateway A, the budget decided in RoomService
/// before the bus (docs/chat-budget.md).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ChatBudgetTests
{
    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;
    private readonly AdminApi _admin;

    public ChatBudgetTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
        _admin = new AdminApi(cluster.RoomServiceUrl);
    }

    private static string NewRoom(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_chat_storm_is_held_to_the_room_budget_fairly_and_sampled_lines_never_reach_another_gateway()
    {
        const int budget = 15;
        const int fans = 40;
        const int windows = 4;
        var (room, neighbourRoom) = (NewRoom("storm"), NewRoom("calm"));
        await _admin.SetBudgetAsync(room, budget);

        await using var receiver = await _cluster.ConnectAsync(0);
        var received = new EventCollector(receiver);
        await receiver.JoinRoomAsync(room);
        await using var neighbour = await _cluster.ConnectAsync(0);
        var neighbourReceived = new EventCollector(neighbour);
        await neighbour.JoinRoomAsync(neighbourRoom);
        await using var host = await _cluster.ConnectAsync(1, _cluster.Token("storm-host", Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        await using var calmSender = await _cluster.ConnectAsync(1, _cluster.Token("calm-sender"));
        await calmSender.JoinRoomAsync(neighbourRoom);
        var senders = await Task.WhenAll(Enumerable.Range(0, fans).Select(async i =>
        {
            var client = await _cluster.ConnectAsync(1, _cluster.Token($"fan{i:00}"));
            await client.JoinRoomAsync(room);
            return client;
        }));

        try
        {
            var firstWindow = await StartOfAWindowAsync();
            var end = DateTime.UtcNow + TimeSpan.FromSeconds(windows) - TimeSpan.FromMilliseconds(60);

            var fanReplies = new ConcurrentBag<(string User, string Text, ChatResult Reply)>();
            var fanTasks = senders.Select((client, i) => Task.Run(async () =>
            {
                for (var n = 0; DateTime.UtcNow < end; n++)
                {
                    var text = $"fan{i:00} line {n}";
                    fanReplies.Add(($"fan{i:00}", text, await client.SendChatAsync(text)));
                }
            }));
            var hostTask = PacedAsync(host, "host line", TimeSpan.FromMilliseconds(100), end);
            var calmTask = PacedAsync(calmSender, "calm line", TimeSpan.FromMilliseconds(150), end); // ~7/s, under 20
            await Task.WhenAll(fanTasks);
            var hostReplies = await hostTask;
            var calmReplies = await calmTask;

            var admitted = fanReplies.Where(r => r.Reply.Status == "ok").ToList();
            var sampled = fanReplies.Where(r => r.Reply.Status == "sampled").ToList();
            var expected = admitted.Count + hostReplies.Count;
            await received.WaitForAsync(e => Chats(e) >= expected, $"the {expected} admitted lines reach gateway A", seconds: 10);
            await neighbourReceived.WaitForAsync(e => Chats(e) >= calmReplies.Count, "the neighbour room's lines", seconds: 10);
            await Task.Delay(300); // anything that should not arrive has had its chance

            var delivered = received.OfType(RoomEventTypes.Chat);
            var deliveredFans = delivered.Where(e => e.From!.Role == Roles.Viewer).ToList();
            var perWindow = deliveredFans.GroupBy(e => e.ServerTs / 1000).OrderBy(g => g.Key).ToList();
            _output.WriteLine($"sent {fanReplies.Count} fan lines in {windows} s: {admitted.Count} ok, {sampled.Count} sampled; " +
                $"{admitted.Select(r => r.User).Distinct().Count()} of {fans} fans got a line through; host {hostReplies.Count} lines");
            foreach (var window in perWindow)
            {
                _output.WriteLine($"window +{window.Key - firstWindow}: {window.Count()} fan lines from {window.Select(e => e.From!.UserId).Distinct().Count()} fans");
            }

            // The storm really was over budget, and the status tells each sender what happened.
            Assert.True(fanReplies.Count > 2 * budget * windows, $"the storm sent {fanReplies.Count} lines: not over budget enough to test it");
            Assert.NotEmpty(sampled);
            Assert.All(sampled, r => Assert.Equal(0, r.Reply.Id));
            Assert.All(admitted, r => Assert.True(r.Reply.Id > 0));
            Assert.Equal(admitted.Count, admitted.Select(r => r.Reply.Id).Distinct().Count());

            // Exactly the admitted lines reach the other gateway: no sampled line, no admitted line lost, none twice.
            Assert.Equal(admitted.Select(r => r.Text).Order(), deliveredFans.Select(e => e.Text!).Order());
            Assert.Equal(
                admitted.Select(r => (r.Text, r.Reply.Id)).OrderBy(x => x.Id),
                deliveredFans.Select(e => (e.Text!, e.Id)).OrderBy(x => x.Item2));

            // Never more than the budget in a window (serverTs is stamped at admission: its second is the window).
            Assert.All(perWindow, w => Assert.InRange(w.Count(), 1, budget));

            // Fair: once the room is over budget, one line per fan per window however fast each one types...
            Assert.All(perWindow.Where(w => w.Key > firstWindow), w =>
                Assert.Equal(w.Count(), w.Select(e => e.From!.UserId).Distinct().Count()));

            // ...so the lines spread over the fans: each line has the same chance, and 4 windows of up to 15 lines
            // reach 31 of 40 fans on average (a simulation of 5,000 storms never went below 23).
            Assert.True(
                admitted.Select(r => r.User).Distinct().Count() > fans / 2,
                $"only {admitted.Select(r => r.User).Distinct().Count()} of {fans} fans got a line through");
            Assert.True(admitted.Count >= budget, $"the room delivered only {admitted.Count} lines in {windows} windows");

            // Privileged lines are never sampled, and come on top of the budget.
            Assert.All(hostReplies, r => Assert.Equal("ok", r.Status));
            Assert.Equal(hostReplies.Count, delivered.Count(e => e.From!.Role == Roles.Streamer));

            // The neighbouring room, at the default budget of 20/s, is unaffected and isolated.
            Assert.All(calmReplies, r => Assert.Equal("ok", r.Status));
            Assert.Equal(calmReplies.Count, neighbourReceived.OfType(RoomEventTypes.Chat).Count);
            Assert.All(neighbourReceived.Events, e => Assert.Equal(neighbourRoom, e.RoomId));
        }
        finally
        {
            foreach (var sender in senders)
            {
                await sender.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_room_under_its_budget_gets_every_line_ok_and_delivered()
    {
        var room = NewRoom("under");
        await using var receiver = await _cluster.ConnectAsync(0);
        var received = new EventCollector(receiver);
        await receiver.JoinRoomAsync(room);
        var senders = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            var client = await _cluster.ConnectAsync(1, _cluster.Token($"chatter{i}"));
            await client.JoinRoomAsync(room);
            return client;
        }));

        // 16 lines at once: under the default budget of 20 lines/s even if they all land in one window.
        var replies = await Task.WhenAll(senders.Select(async (client, i) =>
        {
            var mine = new List<ChatResult>();
            for (var n = 0; n < 4; n++)
            {
                mine.Add(await client.SendChatAsync($"chatter{i} line {n}"));
            }

            return mine;
        }));
        await received.WaitForAsync(e => Chats(e) >= 16, "every line");
        await Task.Delay(200);

        Assert.All(replies.SelectMany(r => r), r => Assert.Equal("ok", r.Status));
        Assert.Equal(replies.SelectMany(r => r).Select(r => r.Id).Order(), received.OfType(RoomEventTypes.Chat).Select(e => e.Id).Order());
        foreach (var sender in senders)
        {
            await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_budget_of_zero_lets_every_line_through()
    {
        var room = NewRoom("unlimited");
        await _admin.SetBudgetAsync(room, 0);
        await using var receiver = await _cluster.ConnectAsync(0);
        var received = new EventCollector(receiver);
        await receiver.JoinRoomAsync(room);
        await using var flooder = await _cluster.ConnectAsync(1, _cluster.Token("flooder"));
        await flooder.JoinRoomAsync(room);

        // 60 lines as fast as one client can: the default budget (20/s) would sample most of them.
        var replies = new List<ChatResult>();
        for (var n = 0; n < 60; n++)
        {
            replies.Add(await flooder.SendChatAsync("flood " + n));
        }

        await received.WaitForAsync(e => Chats(e) >= 60, "all 60 lines");
        Assert.All(replies, r => Assert.Equal("ok", r.Status));
    }

    [Fact]
    public async Task An_operator_sets_reads_and_resets_a_rooms_budget()
    {
        var room = NewRoom("admin");
        var token = LiveImCluster.AdminToken;

        var initial = await _admin.SendAsync(HttpMethod.Get, room, token);
        Assert.Equal(200, initial.Status);
        Assert.Equal((room, "20", "default"), (initial.Field("roomId"), initial.Field("budgetPerSecond"), initial.Field("source")));

        var set = await _admin.SendAsync(HttpMethod.Put, room, token, AdminApi.Json("{\"budgetPerSecond\": 7}"));
        Assert.Equal(200, set.Status);
        Assert.Equal((room, "7", "room"), (set.Field("roomId"), set.Field("budgetPerSecond"), set.Field("source")));
        var read = await _admin.SendAsync(HttpMethod.Get, room, token);
        Assert.Equal(set.Body, read.Body);

        var reset = await _admin.SendAsync(HttpMethod.Delete, room, token);
        Assert.Equal(200, reset.Status);
        Assert.Equal(initial.Body, reset.Body);
        Assert.Equal(initial.Body, (await _admin.SendAsync(HttpMethod.Get, room, token)).Body);
    }

    private static int Chats(IReadOnlyList<RoomEvent> events) => events.Count(e => e.Type == RoomEventTypes.Chat);

    /// <summary>
    /// Waits until just after a budget window starts and returns its index. RoomService reads the same clock in this
    /// process, so a storm started here covers whole windows (the fairness bound of the storm test assumes that).
    /// </summary>
    private static async Task<long> StartOfAWindowAsync()
    {
        while (true)
        {
            var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            await Task.Delay(TimeSpan.FromMilliseconds(1000 - (nowMs % 1000) + 20));
            nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (nowMs % 1000 < 300) // a loaded box may oversleep; then wait for the next boundary
            {
                return nowMs / 1000;
            }
        }
    }

    private static async Task<List<ChatResult>> PacedAsync(RoomClient client, string prefix, TimeSpan every, DateTime end)
    {
        var replies = new List<ChatResult>();
        for (var n = 0; DateTime.UtcNow < end; n++)
        {
            replies.Add(await client.SendChatAsync($"{prefix} {n}"));
            await Task.Delay(every);
        }

        return replies;
    }
}
