using LiveIm.Client.Alignment;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

/// <summary>A simulated stream and player: when events come out, relative to playback.</summary>
public sealed class PlaybackTimingTests
{
    [Fact]
    public void A_viewer_8s_behind_gets_each_event_within_one_tick_of_its_stream_time_never_before_and_in_stream_order()
    {
        const long delayMs = 8_000;
        const long tickMs = 100;
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        var rng = new Random(5);
        var sent = new List<RoomEvent>();
        var pending = new List<RoomEvent>();
        long id = 0;

        // Simulated time in 10 ms steps. The live edge is at stream time `now`; RoomService stamps each event with the
        // current stream time (two instances may differ by a few ms, so ids and stream times are not in the same
        // order); the gateway sends a batch every 50 ms; the player shows `now - 8 s` and ticks every 100 ms.
        for (long now = 0; now <= 70_000; now += 10)
        {
            if (now <= 60_000)
            {
                for (var k = rng.Next(0, 3); k > 0; k--)
                {
                    var e = Ev.At(++id, Math.Max(0, now - rng.Next(0, 30)));
                    sent.Add(e);
                    pending.Add(e);
                }
            }

            if (now % 50 == 0 && pending.Count > 0)
            {
                aligner.Add(pending.ToList());
                pending.Clear();
            }

            if (now >= delayMs && now % tickMs == 0)
            {
                log.PlaybackMs = now - delayMs;
                aligner.UpdatePosition(new PlaybackPosition(1, now - delayMs));
            }
        }

        var released = log.Events;
        Assert.True(sent.Count > 5_000, $"the simulation sent {sent.Count} events");
        Assert.Equal(sent.Select(e => e.Id).Order(), released.Select(r => r.Event.Id).Order());
        Assert.All(released, r =>
        {
            Assert.Equal(ReleaseKind.Due, r.Kind);
            Assert.True(r.PlaybackMs >= r.Event.StreamTs, $"event {r.Event.Id} at {r.Event.StreamTs} released at {r.PlaybackMs}");
            Assert.True(r.PlaybackMs - r.Event.StreamTs < tickMs, $"event {r.Event.Id} at {r.Event.StreamTs} released at {r.PlaybackMs}");
        });
        var keys = released.Select(r => (r.Event.StreamTs!.Value, r.Event.Id)).ToList();
        Assert.Equal(keys.Order(), keys);
        Assert.Equal(0, aligner.HeldCount);
    }

    [Fact]
    public void Events_without_a_clock_are_released_at_once_even_before_the_player_starts()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);

        aligner.Add([Ev.NoClock(1), Ev.At(2, 5_000), Ev.NoClock(3)]);

        var release = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Due, release.Kind);
        Assert.Equal([1L, 3L], release.Events.Select(e => e.Id));
        Assert.Equal(1, aligner.HeldCount);
    }

    [Fact]
    public void Clocked_events_wait_for_the_first_position_then_release_what_it_reaches()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.Add([Ev.At(1, 3_000), Ev.At(2, 1_000), Ev.At(3, 9_000)]);
        Assert.Empty(log.Releases);

        aligner.UpdatePosition(new PlaybackPosition(1, 5_000));

        var release = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Due, release.Kind);
        Assert.Equal([2L, 1L], release.Events.Select(e => e.Id));
    }

    [Fact]
    public void An_event_at_or_behind_playback_is_released_at_once()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 5_000));

        aligner.Add([Ev.At(1, 5_000), Ev.At(2, 4_000), Ev.At(3, 5_001)]);

        Assert.Equal([1L, 2L], log.Ids);
        Assert.Equal(1, aligner.HeldCount);
    }

    [Fact]
    public void Equal_stream_times_release_by_id()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));
        aligner.Add([Ev.At(9, 1_000), Ev.At(4, 1_000), Ev.At(7, 1_000), Ev.At(8, 999)]);

        aligner.UpdatePosition(new PlaybackPosition(1, 1_000));

        Assert.Equal([8L, 4L, 7L, 9L], log.Ids);
    }

    [Fact]
    public void A_stream_restart_releases_the_old_epoch_at_once_and_holds_the_new_one_until_playback_enters_it()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 10_000));

        // The stream restarted at the live edge: epoch 2 begins while the viewer still watches epoch 1.
        aligner.Add([Ev.At(1, 12_000), Ev.At(2, 15_000), Ev.At(3, 500, epoch: 2), Ev.Gift(4, 3_000, epoch: 2)]);
        aligner.UpdatePosition(new PlaybackPosition(1, 12_000));
        Assert.Equal([1L], log.Ids);

        // Playback enters epoch 2: the rest of epoch 1 is stale and goes at once; epoch 2 waits for its times.
        log.Clear();
        aligner.UpdatePosition(new PlaybackPosition(2, 0));
        var stale = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Due, stale.Kind);
        Assert.Equal([2L], stale.Events.Select(e => e.Id));

        // A straggler of the old epoch, late: released at once.
        log.Clear();
        aligner.Add(Ev.At(5, 20_000, epoch: 1));
        Assert.Equal([5L], log.Ids);

        log.Clear();
        aligner.UpdatePosition(new PlaybackPosition(2, 400));
        Assert.Empty(log.Releases);
        aligner.UpdatePosition(new PlaybackPosition(2, 500));
        Assert.Equal([3L], log.Ids);
        aligner.UpdatePosition(new PlaybackPosition(2, 3_000));
        Assert.Equal([3L, 4L], log.Ids);
        Assert.All(log.Releases, r => Assert.Equal(ReleaseKind.Due, r.Kind));
    }

    [Fact]
    public void A_newer_epoch_waits_even_when_its_stream_time_is_behind_playback()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 50_000));

        aligner.Add(Ev.At(1, 100, epoch: 2));

        Assert.Empty(log.Releases);
        aligner.UpdatePosition(new PlaybackPosition(2, 100));
        Assert.Equal([1L], log.Ids);
    }

    [Fact]
    public void Without_a_handler_releases_wait_for_TakeReleased()
    {
        var aligner = new PlaybackAligner();
        aligner.Add([Ev.NoClock(1), Ev.At(2, 100)]);
        aligner.UpdatePosition(new PlaybackPosition(1, 100));

        var taken = aligner.TakeReleased();

        Assert.Equal(2, taken.Count);
        Assert.Equal([1L], taken[0].Events.Select(e => e.Id));
        Assert.Equal([2L], taken[1].Events.Select(e => e.Id));
        Assert.Empty(aligner.TakeReleased());
    }

    [Fact]
    public void Flush_releases_everything_held_as_early_in_stream_order()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));
        aligner.Add([Ev.At(1, 3_000, epoch: 2), Ev.Gift(2, 9_000), Ev.At(3, 1_000)]);

        aligner.Flush();

        var release = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Early, release.Kind);
        Assert.Equal([3L, 2L, 1L], release.Events.Select(e => e.Id));
        Assert.Equal(3, aligner.Stats.ReleasedEarly);
        Assert.Equal(0, aligner.HeldCount);
    }
}
