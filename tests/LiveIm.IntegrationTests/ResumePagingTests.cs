using LiveIm.Client;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="LiveImCluster"/> with a small history (<c>History:MaxCount</c> 40), small join replies
/// (<c>History:MaxReplay</c> 10), small frames (<c>Fanout:MaxFrameBytes</c> 1 KB) and a small backlog limit
/// (<c>Fanout:CloseBacklogBytes</c> 4 KB), so a resume that needs several history pages, frames and paced sends takes
/// a few dozen gifts instead of thousands. Plus one gateway in a process of its own (<see cref="Doomed"/>, its own
/// default settings) whose load report counts for 30 s (<c>Registry:TtlMs</c>): after a SIGKILL, assignment keeps
/// offering it for far longer than a client's move takes, unless the client names it in <c>avoid=</c>
/// (ClientAvoidTests). One cluster for both keeps the suite's parallel processes fewer.
/// </summary>
public sealed class ResumePagingCluster : LiveImCluster
{
    public const int MaxCount = 40;
    public const int MaxReplay = 10;
    public const int MaxFrameBytes = 1024;
    public const int CloseBacklogBytes = 4096;

    public ResumePagingCluster()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay)
        {
            ["History:MaxCount"] = MaxCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["History:MaxReplay"] = MaxReplay.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fanout:MaxFrameBytes"] = MaxFrameBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A backlog limit of a few gifts: a resume sent all at once would close its member as a slow consumer,
            // so these tests also show that every resume is paced.
            ["Fanout:ChatDropBacklogBytes"] = "1024",
            ["Fanout:CloseBacklogBytes"] = CloseBacklogBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits:UserGiftPerSecond"] = "100000",
            ["Limits:UserGiftBurst"] = "100000",
        })
    {
    }

    /// <summary>The gateway ClientAvoidTests kills.</summary>
    public GatewayProcess Doomed { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Doomed = new GatewayProcess(new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Nats__Url"] = Nats.Url,
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Gateway__Id"] = "gwDoomed",
            ["Registry__IntervalMs"] = "2000",
            ["Registry__TtlMs"] = "30000",
        });
        await Doomed.StartReadyAsync();
    }

    public override async Task DisposeAsync()
    {
        await Doomed.DisposeAsync();
        await base.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class ResumePagingCollection : ICollectionFixture<ResumePagingCluster>
{
    public const string Name = "resume-paging";
}

/// <summary>
/// A resume longer than one join reply carries is read on from history a page at a time and is never cut short: the
/// viewer gets every missed gift once, in order, then the live ones, in frames no bigger than the frame bound; a gap
/// that history has trimmed says <c>recovered: false</c> and still delivers everything history holds.
/// </summary>
[Collection(ResumePagingCollection.Name)]
public sealed class ResumePagingTests
{
    private readonly ResumePagingCluster _cluster;

    public ResumePagingTests(ResumePagingCluster cluster) => _cluster = cluster;

    private static string NewRoom() => "rp-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task A_resume_longer_than_one_reply_gets_every_missed_gift_once_in_order_in_bounded_frames_then_live_ones()
    {
        var (room, fan, lastSeq) = await ViewerLeavesAsync();
        await using var _ = fan;
        var missed = await SendGiftsAsync(fan, 25, "long-away"); // 2.5 join replies' worth, within history

        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, lastSeq);
        var live = await fan.SendGiftAsync("heart", 1, "live-after-long");
        await after.WaitForAsync(e => e.Any(x => x.Seq == live.Seq), "the live gift after the missed ones");

        Assert.True(join.Recovered);
        Assert.Equal(missed[^1], join.Seq);
        Assert.Equal(missed.Append(live.Seq).ToArray(), after.OfType("gift").Select(g => g.Seq!.Value).ToArray());
        // A gift event is 250-330 bytes of JSON: more than 4 of them pass the 1 KB frame bound.
        Assert.True(after.Frames.Count >= missed.Count / 4, $"frames {string.Join(",", after.Frames)}");
        Assert.All(after.Frames, n => Assert.InRange(n, 1, 4));
    }

    [Fact]
    public async Task A_resume_past_what_history_still_holds_says_not_recovered_and_gets_all_it_holds_in_order()
    {
        var (room, fan, lastSeq) = await ViewerLeavesAsync();
        await using var _ = fan;
        var missed = await SendGiftsAsync(fan, ResumePagingCluster.MaxCount + 15, "too-long-away");

        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, lastSeq);
        var live = await fan.SendGiftAsync("heart", 1, "live-after-trim");
        await after.WaitForAsync(e => e.Any(x => x.Seq == live.Seq), "the live gift after what history held");

        Assert.False(join.Recovered);
        Assert.Equal(missed[^1], join.Seq);
        var kept = missed.TakeLast(ResumePagingCluster.MaxCount).Append(live.Seq).ToArray();
        Assert.Equal(kept, after.OfType("gift").Select(g => g.Seq!.Value).ToArray());
    }

    [Fact]
    public async Task A_resume_that_fits_one_reply_needs_no_page_and_a_lastSeq_at_the_rooms_seq_gets_nothing_again()
    {
        var (room, fan, lastSeq) = await ViewerLeavesAsync();
        await using var _ = fan;
        var missed = await SendGiftsAsync(fan, ResumePagingCluster.MaxReplay, "short-away");

        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, lastSeq);
        Assert.True(join.Recovered);
        await after.WaitForAsync(e => e.Count(x => x.Type == "gift") == missed.Count, "the missed gifts");

        await using var current = await _cluster.ConnectAsync(1);
        var none = new EventCollector(current);
        var again = await current.ResumeAsync(room, missed[^1]);
        var live = await fan.SendGiftAsync("heart", 1, "live-at-seq");
        await none.WaitForAsync(e => e.Any(x => x.Seq == live.Seq), "the live gift");
        Assert.True(again.Recovered);
        Assert.Equal(new[] { live.Seq }, none.OfType("gift").Select(g => g.Seq!.Value).ToArray());
    }

    [Fact]
    public async Task A_resume_on_a_gateway_that_holds_the_room_comes_from_its_memory_not_from_history()
    {
        var room = NewRoom();
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("fan-" + Guid.NewGuid().ToString("N")[..6]));
        await fan.JoinRoomAsync(room);
        await using var stayer = await _cluster.ConnectAsync(0); // keeps the room on gateway 0 while the viewer is away
        await stayer.JoinRoomAsync(room);
        var viewer = await _cluster.ConnectAsync(0);
        var before = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await SendGiftsAsync(fan, 3, "mem-before");
        await before.WaitForAsync(e => e.Count(x => x.Type == "gift") == 3, "three gifts before the drop");
        var lastSeq = viewer.LastSeq;
        await viewer.DisposeAsync();
        var missed = await SendGiftsAsync(fan, 25, "mem-away"); // more than one join reply carries
        var stayed = new EventCollector(stayer);
        await stayed.WaitForAsync(e => e.Any(x => x.Seq == missed[^1]), "gateway 0 has the last missed gift");

        var metricsBefore = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);
        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, lastSeq);
        var live = await fan.SendGiftAsync("heart", 1, "mem-live");
        await after.WaitForAsync(e => e.Any(x => x.Seq == live.Seq), "the live gift after the missed ones");
        var metricsAfter = await GatewayMetrics.ScrapeAsync(_cluster.Gateways[0]);

        Assert.True(join.Recovered);
        Assert.Equal(missed.Append(live.Seq).ToArray(), after.OfType("gift").Select(g => g.Seq!.Value).ToArray());
        Assert.Equal(1, metricsAfter.Get("liveim_gateway_resumes_from_memory_total") - metricsBefore.Get("liveim_gateway_resumes_from_memory_total"));
        Assert.Equal(25, metricsAfter.Get("liveim_gateway_resume_events_from_memory_total") - metricsBefore.Get("liveim_gateway_resume_events_from_memory_total"));
        Assert.Equal(0, metricsAfter.Get("liveim_gateway_resume_pages_total") - metricsBefore.Get("liveim_gateway_resume_pages_total"));
        Assert.All(after.Frames, n => Assert.InRange(n, 1, 4));
    }

    [Fact]
    public async Task A_resume_from_before_what_the_gateway_remembers_reads_history_and_still_gets_every_gift()
    {
        var room = NewRoom();
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token("fan-" + Guid.NewGuid().ToString("N")[..6]));
        await fan.JoinRoomAsync(room);
        var early = await SendGiftsAsync(fan, 5, "hist-early"); // before gateway 0 holds the room
        await using var stayer = await _cluster.ConnectAsync(0);
        await stayer.JoinRoomAsync(room);
        var later = await SendGiftsAsync(fan, 5, "hist-later");

        await using var back = await _cluster.ConnectAsync(0);
        var after = new EventCollector(back);
        var join = await back.ResumeAsync(room, early[0]); // gateway 0's memory starts after early[^1]
        await after.WaitForAsync(e => e.Count(x => x.Type == "gift") == early.Count - 1 + later.Count, "the gifts after lastSeq");

        Assert.True(join.Recovered);
        Assert.Equal(early.Skip(1).Concat(later).ToArray(), after.OfType("gift").Select(g => g.Seq!.Value).ToArray());
    }

    // A viewer who saw three gifts drops; the sender stays. Returns the room, the sender and the viewer's lastSeq.
    private async Task<(string Room, RoomClient Fan, long LastSeq)> ViewerLeavesAsync()
    {
        var room = NewRoom();
        var fan = await _cluster.ConnectAsync(1, _cluster.Token("fan-" + Guid.NewGuid().ToString("N")[..6]));
        await fan.JoinRoomAsync(room);
        await using var viewer = await _cluster.ConnectAsync(0);
        var before = new EventCollector(viewer);
        await viewer.JoinRoomAsync(room);
        await SendGiftsAsync(fan, 3, "before");
        await before.WaitForAsync(e => e.Count(x => x.Type == "gift") == 3, "three gifts before the drop");
        return (room, fan, viewer.LastSeq);
    }

    private static async Task<List<long>> SendGiftsAsync(RoomClient fan, int count, string prefix)
    {
        var seqs = new List<long>(count);
        for (var i = 0; i < count; i++)
        {
            seqs.Add((await fan.SendGiftAsync("heart", 1, $"{prefix}-{i}")).Seq);
        }

        return seqs;
    }
}
