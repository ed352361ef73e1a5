using LiveIm.Client.Alignment;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

public sealed class HostileInputTests
{
    [Fact]
    public void Negative_and_extreme_stream_times_neither_throw_nor_hold_up_the_others()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));

        aligner.Add([Ev.At(1, -5_000), Ev.At(2, long.MaxValue), Ev.At(3, long.MinValue), Ev.At(4, 1_000)]);
        Assert.Equal([1L, 3L], log.Ids);

        aligner.UpdatePosition(new PlaybackPosition(1, 1_000));
        Assert.Equal([1L, 3L, 4L], log.Ids);

        // The event at the end of time waits for its epoch to end (or a flush); it never blocks the ones before it.
        aligner.UpdatePosition(new PlaybackPosition(2, 0));
        Assert.Equal([1L, 3L, 4L, 2L], log.Ids);
    }

    [Fact]
    public void Extreme_positions_neither_throw_nor_overflow_the_seek_thresholds()
    {
        var replay = new FakeReplay([]);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.Add([Ev.At(1, 0), Ev.At(2, long.MaxValue)]);

        aligner.UpdatePosition(new PlaybackPosition(1, long.MinValue));
        aligner.UpdatePosition(new PlaybackPosition(1, long.MaxValue));
        Assert.True(Assert.Single(log.Releases).IsSkipped);
        aligner.UpdatePosition(new PlaybackPosition(1, long.MinValue));
        aligner.UpdatePosition(new PlaybackPosition(long.MinValue, long.MinValue));

        Assert.Equal((1L, long.MinValue, long.MaxValue), (replay.Calls[0].Epoch, replay.Calls[0].FromMs, replay.Calls[0].ToMs));
        Assert.Equal(2, replay.Calls.Count);
    }

    [Fact]
    public void A_stream_time_without_an_epoch_has_no_place_on_the_timeline_and_is_released_at_once()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));

        aligner.Add([Ev.At(1, 50_000) with { StreamEpoch = null }, Ev.At(2, 50_000)]);

        Assert.Equal([1L], log.Ids);
        Assert.Equal(1, aligner.HeldCount);
    }

    [Fact]
    public void Duplicates_within_a_batch_across_batches_of_held_and_of_released_events_come_out_once()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 1_000));

        aligner.Add([Ev.At(1, 500), Ev.At(1, 500), Ev.At(2, 2_000), Ev.NoClock(3)]);
        aligner.Add([Ev.At(2, 2_000), Ev.At(1, 500), Ev.NoClock(3), Ev.At(2, 9_000)]);
        aligner.UpdatePosition(new PlaybackPosition(1, 10_000));
        aligner.Add([Ev.At(2, 2_000), Ev.Gift(4, 10_000), Ev.Gift(4, 10_000)]);

        Assert.Equal([1L, 3L, 2L, 4L], log.Ids);
        Assert.Equal(7, aligner.Stats.Duplicates);
    }

    [Fact]
    public void Released_ids_are_remembered_up_to_RememberedIds_then_the_oldest_are_forgotten()
    {
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { RememberedIds = 2 });
        var log = new ReleaseLog(aligner);

        aligner.Add([Ev.NoClock(1), Ev.NoClock(2), Ev.NoClock(3)]);
        aligner.Add([Ev.NoClock(3), Ev.NoClock(2), Ev.NoClock(1)]);

        Assert.Equal([1L, 2L, 3L, 1L], log.Ids);
    }

    [Fact]
    public void Many_seeks_back_and_forth_keep_each_pass_complete_and_free_of_duplicates()
    {
        var stream = Enumerable.Range(1, 600).Select(i => Ev.At(i, i * 100L)).ToList();
        var replay = new FakeReplay(stream);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch, RememberedIds = 100 });
        var log = new ReleaseLog(aligner);
        aligner.Add(stream);
        var rng = new Random(3);
        long ms = 0;
        for (var seek = 0; seek < 50; seek++)
        {
            log.Clear();
            var target = rng.Next(0, 600) * 100L;
            if (target < ms)
            {
                // Explicitly: a step back of 1 s or less through UpdatePosition is jitter, not a seek.
                _ = aligner.Seek(new PlaybackPosition(1, target));
            }

            for (ms = target; ms <= target + 5_000; ms += 100)
            {
                aligner.UpdatePosition(new PlaybackPosition(1, ms));
            }

            ms -= 100;
            var ids = log.Ids;
            Assert.Equal(ids.Distinct(), ids);

            // And nothing playback went through is missing from the pass.
            Assert.All(stream.Where(e => e.StreamTs > target && e.StreamTs <= ms), e => Assert.Contains(e.Id, ids));
        }
    }

    [Fact]
    public void Online_counts_all_carry_id_0_and_are_never_taken_for_duplicates()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        var online = new RoomEvent { RoomId = "r1", Id = 0, Lane = Lane.System, Type = RoomEventTypes.Online, Online = 5 };

        aligner.Add([online, online with { Online = 6 }]);
        aligner.Add(online with { Online = 7 });

        Assert.Equal([5L, 6L, 7L], log.Events.Select(r => r.Event.Online!.Value));
    }

    [Fact]
    public void Batches_out_of_order_still_release_in_stream_order()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));

        aligner.Add([Ev.At(6, 3_000), Ev.At(5, 2_500)]);
        aligner.Add([Ev.At(2, 1_000), Ev.At(1, 900)]);
        aligner.Add([Ev.At(4, 2_000), Ev.At(3, 1_500)]);
        aligner.UpdatePosition(new PlaybackPosition(1, 5_000));

        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L], log.Ids);
    }

    [Fact]
    public void Null_events_in_a_batch_are_ignored()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);

        aligner.Add([null!, Ev.NoClock(1)]);

        Assert.Equal([1L], log.Ids);
    }

    public static TheoryData<string> BrokenSources => ["throws", "faults", "null"];

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public async Task A_broken_replay_source_is_reported_and_the_aligner_keeps_working(string how)
    {
        var calls = 0;
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions
        {
            Replay = (epoch, from, to, ct) =>
            {
                calls++;
                return how switch
                {
                    "throws" => throw new InvalidOperationException("replay down"),
                    "faults" => Task.FromException<IReadOnlyList<RoomEvent>>(new HttpRequestException("503")),
                    _ => Task.FromResult<IReadOnlyList<RoomEvent>>(null!),
                };
            },
        });
        var log = new ReleaseLog(aligner);
        var failures = new List<ReplayFailure>();
        aligner.ReplayFailed += failures.Add;
        aligner.UpdatePosition(new PlaybackPosition(1, 40_000));
        aligner.Add(Ev.At(1, 41_000));

        await aligner.Seek(new PlaybackPosition(1, 10_000));

        var failure = Assert.Single(failures);
        Assert.Equal((1L, 10_000L, 40_000L), (failure.Epoch, failure.FromMs, failure.ToMs));
        Assert.Equal(1, aligner.Stats.ReplayFailures);

        // Live events and playback carry on; the next seek asks again.
        aligner.Add([Ev.At(2, 10_500), Ev.NoClock(3)]);
        aligner.UpdatePosition(new PlaybackPosition(1, 11_000));
        Assert.Equal([3L, 2L], log.Ids);
        await aligner.Seek(new PlaybackPosition(1, 5_000));
        Assert.Equal(2, calls);
        Assert.Equal(2, failures.Count);
        aligner.UpdatePosition(new PlaybackPosition(1, 41_000));
        Assert.Equal([3L, 2L, 1L], log.Ids);
    }

    [Fact]
    public void A_throwing_release_handler_fails_that_call_only_and_the_next_call_delivers_the_rest()
    {
        var aligner = new PlaybackAligner();
        var seen = new List<long>();
        var fail = true;
        aligner.Released += r =>
        {
            seen.AddRange(r.Events.Select(e => e.Id));
            if (fail)
            {
                fail = false;
                throw new InvalidOperationException("UI bug");
            }
        };
        aligner.UpdatePosition(new PlaybackPosition(1, 0));
        aligner.Add([Ev.At(1, 100), Ev.At(2, 300)]);

        Assert.Throws<InvalidOperationException>(() => aligner.UpdatePosition(new PlaybackPosition(1, 100)));
        aligner.UpdatePosition(new PlaybackPosition(1, 300));

        Assert.Equal([1L, 2L], seen);
    }

    [Fact]
    public void A_handler_may_call_back_into_the_aligner_and_order_is_kept()
    {
        var aligner = new PlaybackAligner();
        var seen = new List<long>();
        aligner.Released += r =>
        {
            seen.AddRange(r.Events.Select(e => e.Id));
            if (r.Events.Any(e => e.Id == 1))
            {
                aligner.Add(Ev.NoClock(3));
            }
        };

        aligner.Add([Ev.NoClock(1)]);
        aligner.Add([Ev.NoClock(2)]);

        Assert.Equal([1L, 3L, 2L], seen);
    }
}
