using LiveIm.Client.Alignment;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

public sealed class BoundTests
{
    [Fact]
    public void Ten_thousand_events_ahead_with_MaxHeld_1000_hold_at_most_1000_release_the_oldest_early_and_lose_none()
    {
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { MaxHeld = 1_000 });
        var log = new ReleaseLog(aligner);
        var maxHeld = 0;
        aligner.Released += _ => maxHeld = Math.Max(maxHeld, aligner.HeldCount);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));

        // 10,000 events 100-110 s ahead of playback, in a shuffled arrival order, in batches of 1 to 50.
        var rng = new Random(7);
        var events = Enumerable.Range(1, 10_000).Select(i => i % 10 == 0 ? Ev.Gift(i, 100_000 + i) : Ev.At(i, 100_000 + i))
            .OrderBy(_ => rng.Next()).ToList();
        for (var i = 0; i < events.Count;)
        {
            var n = Math.Min(rng.Next(1, 51), events.Count - i);
            aligner.Add(events.GetRange(i, n));
            i += n;
            maxHeld = Math.Max(maxHeld, aligner.HeldCount);
        }

        Assert.True(maxHeld <= 1_000, $"held {maxHeld}");
        Assert.Equal(1_000, aligner.HeldCount);
        var early = log.Events.Where(r => r.Kind == ReleaseKind.Early).Select(r => r.Event.Id).ToList();
        Assert.Equal(9_000, early.Count);
        Assert.Equal(9_000, aligner.Stats.ReleasedEarly);

        // The oldest (smallest stream times) went early; the 1,000 nearest the live edge are still held.
        Assert.Equal(Enumerable.Range(1, 9_000).Select(i => (long)i), early.Order());
        Assert.All(log.Releases.Where(r => r.IsEarly), r =>
            Assert.Equal(r.Events.Select(e => e.StreamTs).Order(), r.Events.Select(e => e.StreamTs)));

        for (long ms = 100; ms <= 111_000; ms += 100)
        {
            aligner.UpdatePosition(new PlaybackPosition(1, ms));
        }

        var ids = log.Ids;
        Assert.Equal(10_000, ids.Count);
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => (long)i), ids.Order());
        Assert.Equal(Enumerable.Range(9_001, 1_000).Select(i => (long)i),
            log.Events.Where(r => r.Kind == ReleaseKind.Due).Select(r => r.Event.Id));
    }

    [Fact]
    public void A_new_event_older_than_everything_held_is_itself_released_early_when_the_buffer_is_full()
    {
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { MaxHeld = 2 });
        var log = new ReleaseLog(aligner);
        aligner.UpdatePosition(new PlaybackPosition(1, 0));
        aligner.Add([Ev.At(1, 5_000), Ev.At(2, 6_000)]);

        aligner.Add(Ev.Gift(3, 1_000));

        var release = Assert.Single(log.Releases);
        Assert.Equal(ReleaseKind.Early, release.Kind);
        Assert.Equal([3L], release.Events.Select(e => e.Id));
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, -1, 0, 0)]
    [InlineData(1, 0, -1, 0)]
    [InlineData(1, 0, 0, -1)]
    public void Options_out_of_range_are_refused(int maxHeld, long forward, long backward, int remembered)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PlaybackAligner(new PlaybackAlignerOptions
        {
            MaxHeld = maxHeld,
            ForwardSeekThresholdMs = forward,
            BackwardSeekThresholdMs = backward,
            RememberedIds = remembered,
        }));
    }
}
