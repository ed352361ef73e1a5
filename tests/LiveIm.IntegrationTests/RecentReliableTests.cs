using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A room's memory of its latest reliable events (no servers: a plain data structure; the resume through it, with
/// real processes, is in ResumePagingTests): it answers a resume only when it holds every seq after lastSeq.
/// </summary>
public sealed class RecentReliableTests
{
    private static TickEvent Gift(long seq) => new(System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"), seq, Lane.Gift);

    private static RecentReliable Filled(long baseline, long through, int maxEvents = 100, int maxAgeSeconds = 60, long atMs = 0)
    {
        var recent = new RecentReliable(maxEvents, maxAgeSeconds);
        recent.Start(baseline);
        for (var seq = baseline + 1; seq <= through; seq++)
        {
            recent.Append(Gift(seq), atMs);
        }

        return recent;
    }

    private static List<long>? After(RecentReliable recent, long lastSeq, long nowMs = 0) =>
        recent.TryAfter(lastSeq, nowMs, out var events, out _) ? events.Select(e => e.Seq!.Value).ToList() : null;

    [Fact]
    public void A_resume_inside_the_run_gets_every_seq_after_lastSeq_and_the_runs_last_seq()
    {
        var recent = Filled(baseline: 10, through: 15);
        Assert.Equal([13, 14, 15], After(recent, 12));
        Assert.Equal([11, 12, 13, 14, 15], After(recent, 10)); // from the baseline itself
        Assert.Equal([], After(recent, 15)); // nothing missed
        Assert.True(recent.TryAfter(12, 0, out _, out var last));
        Assert.Equal(15, last);
    }

    [Fact]
    public void A_lastSeq_before_the_run_or_beyond_what_the_gateway_saw_is_not_answered()
    {
        var recent = Filled(baseline: 10, through: 15);
        Assert.Null(After(recent, 9)); // seq 10 was never in memory: history has it
        Assert.Null(After(recent, 16)); // a claim beyond the room's seq here: RoomService judges it
        Assert.Null(After(recent, -1));
        Assert.Null(After(new RecentReliable(100, 60), 0)); // no baseline yet
    }

    [Fact]
    public void The_oldest_events_go_past_the_count_and_past_the_age()
    {
        var byCount = Filled(baseline: 0, through: 50, maxEvents: 20);
        Assert.Equal(20, byCount.Count);
        Assert.Null(After(byCount, 29));
        Assert.Equal(Enumerable.Range(31, 20).Select(i => (long)i).ToList(), After(byCount, 30));

        var byAge = new RecentReliable(100, maxAgeSeconds: 10);
        byAge.Start(0);
        byAge.Append(Gift(1), nowMs: 0);
        byAge.Append(Gift(2), nowMs: 5_000);
        byAge.Append(Gift(3), nowMs: 9_000);
        Assert.Equal([2, 3], After(byAge, 1, nowMs: 12_000)); // seq 1 is 12 s old
        Assert.Null(After(byAge, 0, nowMs: 12_000));
        Assert.Equal([], After(byAge, 3, nowMs: 30_000)); // all aged out: still knows it is at seq 3
        Assert.Equal(3, byAge.Last);
    }

    [Fact]
    public void A_hole_restarts_the_run_after_it_so_no_answer_ever_skips_a_seq()
    {
        var recent = Filled(baseline: 0, through: 5);
        recent.Append(Gift(9), 0); // 6..8 were given up by the room's order
        recent.Append(Gift(10), 0);
        Assert.Null(After(recent, 3));
        Assert.Null(After(recent, 7));
        Assert.Equal([9, 10], After(recent, 8));
    }

    [Fact]
    public void Zero_events_turns_it_off()
    {
        var off = Filled(baseline: 0, through: 5, maxEvents: 0);
        Assert.Equal(0, off.Count);
        Assert.Equal([], After(off, 0)); // it knows the baseline, holds nothing past it
        Assert.Null(After(off, 1));
    }
}
