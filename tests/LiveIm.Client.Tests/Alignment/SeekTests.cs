using LiveIm.Client.Alignment;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

public sealed class SeekTests
{
    // One event every 100 ms of stream time, from 0 to 100 s: id = ts / 100 + 1.
    private static List<RoomEvent> Stream(long toMs = 100_000) =>
        [.. Enumerable.Range(0, (int)(toMs / 100) + 1).Select(i => i % 7 == 0 ? Ev.Gift(i + 1, i * 100L) : Ev.At(i + 1, i * 100L))];

    private static void Play(PlaybackAligner aligner, ReleaseLog log, long fromMs, long toMs)
    {
        for (var ms = fromMs; ms <= toMs; ms += 100)
        {
            log.PlaybackMs = ms;
            aligner.UpdatePosition(new PlaybackPosition(1, ms));
        }
    }

    [Fact]
    public void A_jump_of_60s_forward_releases_what_it_skips_as_one_skipped_batch()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.Add(Stream());
        Play(aligner, log, 0, 10_000);
        log.Clear();

        log.PlaybackMs = 70_000;
        aligner.UpdatePosition(new PlaybackPosition(1, 70_000));

        var skipped = Assert.Single(log.Releases);
        Assert.True(skipped.IsSkipped);
        Assert.Equal(Enumerable.Range(102, 600).Select(i => (long)i), skipped.Events.Select(e => e.Id));
        Assert.Equal(600, aligner.Stats.ReleasedSkipped);

        log.Clear();
        Play(aligner, log, 70_100, 70_300);
        Assert.Equal([702L, 703L, 704L], log.Ids);
        Assert.All(log.Releases, r => Assert.Equal(ReleaseKind.Due, r.Kind));
    }

    [Fact]
    public void An_explicit_seek_forward_is_a_skip_whatever_its_length()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.Add(Stream());
        Play(aligner, log, 0, 10_000);
        log.Clear();

        var done = aligner.Seek(new PlaybackPosition(1, 10_500));

        Assert.True(done.IsCompletedSuccessfully);
        var skipped = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Skipped, skipped.Kind);
        Assert.Equal([102L, 103L, 104L, 105L, 106L], skipped.Events.Select(e => e.Id));
    }

    [Fact]
    public void A_jump_forward_within_the_threshold_is_playback_catching_up_not_a_skip()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.Add(Stream());
        Play(aligner, log, 0, 10_000);
        log.Clear();

        aligner.UpdatePosition(new PlaybackPosition(1, 14_000));

        var release = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Due, release.Kind);
        Assert.Equal(40, release.Events.Count);
    }

    [Fact]
    public async Task A_seek_30s_back_replays_the_window_and_releases_it_again_once_while_live_events_flow()
    {
        var stream = Stream(60_000);
        var replay = new FakeReplay(stream) { Gate = new TaskCompletionSource() };
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        var failures = new List<ReplayFailure>();
        aligner.ReplayFailed += failures.Add;
        aligner.Add(stream);
        Play(aligner, log, 0, 40_000);
        Assert.Equal(401, log.Ids.Count);
        log.Clear();

        log.PlaybackMs = 10_000;
        var seek = aligner.Seek(new PlaybackPosition(1, 10_000));

        var call = Assert.Single(replay.Calls);
        Assert.Equal((1L, 10_000L, 40_000L), (call.Epoch, call.FromMs, call.ToMs));
        Assert.False(seek.IsCompleted);
        Assert.Same(seek, aligner.PendingReplay);

        // During the fetch: live events keep coming (ahead of playback, and one without a clock), and the player
        // ticks on.
        aligner.Add([Ev.At(1_001, 60_100), Ev.NoClock(1_002), Ev.Gift(1_003, 60_200)]);
        Play(aligner, log, 10_100, 10_200);
        Assert.Equal([1_002L], log.Ids);

        // The answer overlaps what is held (45 s, 60.1 s) and repeats an event: neither comes out twice.
        replay.Extra.AddRange([Ev.At(451, 45_000), Ev.At(1_001, 60_100), Ev.At(150, 14_900)]);
        replay.Gate.SetResult();
        await seek;

        // What playback passed during the fetch (10.0-10.2 s) is due at once; the rest waits for playback.
        Assert.Equal([1_002L, 101L, 102L, 103L], log.Ids);
        Play(aligner, log, 10_300, 61_000);

        var pass = log.Events.Where(r => r.Event.Id != 1_002).ToList();
        var expected = Enumerable.Range(101, 501).Select(i => (long)i).Concat([1_001L, 1_003L]).ToList();
        Assert.Equal(expected, pass.Select(r => r.Event.Id));
        Assert.All(pass, r => Assert.True(r.PlaybackMs >= r.Event.StreamTs, $"{r.Event.Id} released at {r.PlaybackMs}"));
        Assert.All(pass, r => Assert.Equal(ReleaseKind.Due, r.Kind));
        Assert.Empty(failures);
        Assert.Equal(3, aligner.Stats.Duplicates);
        Assert.Equal(0, aligner.HeldCount);
    }

    [Fact]
    public void A_position_30s_behind_the_last_is_detected_as_a_seek_back()
    {
        var replay = new FakeReplay([]);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        aligner.UpdatePosition(new PlaybackPosition(3, 40_000));

        aligner.UpdatePosition(new PlaybackPosition(3, 10_000));

        var call = Assert.Single(replay.Calls);
        Assert.Equal((3L, 10_000L, 40_000L), (call.Epoch, call.FromMs, call.ToMs));
        Assert.Equal(new PlaybackPosition(3, 10_000), aligner.Position);
        Assert.Equal(1, aligner.Stats.ReplayRequests);
    }

    [Fact]
    public void A_small_step_back_is_jitter_and_neither_replays_nor_moves_playback()
    {
        var replay = new FakeReplay([]);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 40_000));

        aligner.UpdatePosition(new PlaybackPosition(1, 39_200));
        aligner.Add(Ev.At(1, 39_500));

        Assert.Empty(replay.Calls);
        Assert.Equal(new PlaybackPosition(1, 40_000), aligner.Position);
        Assert.Equal([1L], log.Ids);
    }

    [Fact]
    public void A_seek_back_into_an_older_epoch_replays_to_the_end_of_that_epoch()
    {
        var replay = new FakeReplay([]);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(2, 5_000));
        aligner.Add(Ev.At(1, 6_000, epoch: 2));

        aligner.UpdatePosition(new PlaybackPosition(1, 30_000));

        var call = Assert.Single(replay.Calls);
        Assert.Equal((1L, 30_000L, long.MaxValue), (call.Epoch, call.FromMs, call.ToMs));

        // The live event of epoch 2 now waits for playback to come back to epoch 2.
        Assert.Empty(log.Releases);
        Assert.Equal(1, aligner.HeldCount);
    }

    [Fact]
    public void Coming_back_into_an_epoch_playback_had_reached_before_a_seek_back_replays_what_it_saw_there()
    {
        var replay = new FakeReplay([Ev.At(1, 2_000, epoch: 2), Ev.At(2, 4_000, epoch: 2)]);
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(2, 5_000));
        aligner.UpdatePosition(new PlaybackPosition(1, 30_000));

        aligner.UpdatePosition(new PlaybackPosition(2, 0));

        Assert.Equal((2L, 0L, 5_000L), (replay.Calls[1].Epoch, replay.Calls[1].FromMs, replay.Calls[1].ToMs));
        aligner.UpdatePosition(new PlaybackPosition(2, 2_000));
        Assert.Equal([1L], log.Ids);
    }

    [Fact]
    public async Task A_second_seek_back_abandons_the_first_replay_and_asks_up_to_where_playback_had_been()
    {
        var stream = Stream(60_000);
        var replay = new FakeReplay(stream) { Gate = new TaskCompletionSource() };
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.Add(stream);
        Play(aligner, log, 0, 40_000);
        log.Clear();

        var first = aligner.Seek(new PlaybackPosition(1, 10_000));
        var gate = replay.Gate;
        replay.Gate = null;
        var second = aligner.Seek(new PlaybackPosition(1, 5_000));

        // Not [5 s, 10 s]: the first fetch is abandoned, and 10-40 s was released in the earlier pass only.
        Assert.True(second.IsCompletedSuccessfully);
        Assert.True(replay.Calls[0].Token.IsCancellationRequested);
        Assert.Equal((5_000L, 40_000L), (replay.Calls[1].FromMs, replay.Calls[1].ToMs));
        gate.SetResult();
        await first;

        Play(aligner, log, 5_000, 41_000);
        var ids = log.Ids;
        Assert.Equal(ids.Distinct(), ids);
        Assert.Equal(Enumerable.Range(51, 361).Select(i => (long)i), ids);
    }

    [Fact]
    public async Task A_seek_forward_while_a_replay_is_fetched_releases_what_it_passed_as_skipped_when_the_replay_arrives()
    {
        var stream = Stream(60_000);
        var replay = new FakeReplay(stream) { Gate = new TaskCompletionSource() };
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        aligner.Add(stream);
        Play(aligner, log, 0, 40_000);
        log.Clear();

        var back = aligner.Seek(new PlaybackPosition(1, 10_000));
        _ = aligner.Seek(new PlaybackPosition(1, 30_000));
        Assert.Empty(log.Releases);
        replay.Gate.SetResult();
        await back;

        var skipped = Assert.Single(log.Releases);
        Assert.True(skipped.IsSkipped);
        Assert.Equal(Enumerable.Range(101, 201).Select(i => (long)i), skipped.Events.Select(e => e.Id));
        log.Clear();
        Play(aligner, log, 30_100, 40_000);
        Assert.Equal(Enumerable.Range(302, 100).Select(i => (long)i), log.Ids);
    }

    [Fact]
    public void Without_a_replay_source_a_seek_back_moves_playback_and_releases_new_events_again_by_time()
    {
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 40_000));

        var done = aligner.Seek(new PlaybackPosition(1, 10_000));
        aligner.Add(Ev.At(1, 20_000));

        Assert.True(done.IsCompletedSuccessfully);
        Assert.Empty(log.Releases);
        aligner.UpdatePosition(new PlaybackPosition(1, 20_000));
        Assert.Equal([1L], log.Ids);
    }
}
