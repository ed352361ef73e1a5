using LiveIm.Client.Alignment;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

/// <summary>The example timeline of docs/alignment.md, row by row: if this fails, the page or the code is wrong.</summary>
public sealed class DocExampleTests
{
    [Fact]
    public async Task The_example_timeline_in_docs_alignment_md_plays_as_written()
    {
        // #51-#90 at (2, 10000) ... (2, 49000): #n at (n - 41) s.
        var epoch2 = Enumerable.Range(51, 40).Select(n => Ev.At(n, (n - 41) * 1_000L, epoch: 2)).ToList();
        var replay = new FakeReplay(epoch2) { Gate = new TaskCompletionSource() };
        replay.Extra.Add(epoch2.Single(e => e.Id == 80));
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { Replay = replay.Fetch });
        var log = new ReleaseLog(aligner);
        var online = new RoomEvent { RoomId = "r1", Id = 0, Lane = Lane.System, Type = RoomEventTypes.Online, Online = 12 };

        void Expect(ReleaseKind kind, params long[] ids)
        {
            var release = Assert.Single(log.Releases);
            Assert.Equal(kind, release.Kind);
            Assert.Equal(ids, release.Events.Select(e => e.Id));
            log.Clear();
        }

        aligner.UpdatePosition(new(1, 2_000));
        aligner.Add([Ev.At(41, 10_000), Ev.Gift(42, 10_020), online]);
        Expect(ReleaseKind.Due, 0);
        aligner.UpdatePosition(new(1, 9_900));
        Assert.Empty(log.Releases);
        aligner.UpdatePosition(new(1, 10_000));
        Expect(ReleaseKind.Due, 41);
        aligner.UpdatePosition(new(1, 10_100));
        Expect(ReleaseKind.Due, 42);
        aligner.Add([Ev.At(49, 11_900), Ev.At(50, 300, epoch: 2)]);
        aligner.Add([Ev.Gift(42, 10_020)]);
        Assert.Empty(log.Releases);
        Assert.Equal(1, aligner.Stats.Duplicates);
        aligner.UpdatePosition(new(1, 11_900));
        Expect(ReleaseKind.Due, 49);
        aligner.UpdatePosition(new(2, 0));
        Assert.Empty(log.Releases);
        aligner.UpdatePosition(new(2, 300));
        Expect(ReleaseKind.Due, 50);

        for (long ms = 400; ms <= 5_000; ms += 100)
        {
            aligner.UpdatePosition(new(2, ms));
        }

        aligner.Add(epoch2);
        Assert.Empty(log.Releases);

        await aligner.Seek(new(2, 30_000));
        Expect(ReleaseKind.Skipped, [.. Enumerable.Range(51, 21).Select(n => (long)n)]);
        for (long ms = 30_100; ms <= 35_000; ms += 100)
        {
            aligner.UpdatePosition(new(2, ms));
        }

        Assert.Equal([72L, 73L, 74L, 75L, 76L], log.Ids);
        log.Clear();

        aligner.UpdatePosition(new(2, 15_000));
        Assert.Equal((2L, 15_000L, 35_000L), (replay.Calls[0].Epoch, replay.Calls[0].FromMs, replay.Calls[0].ToMs));
        aligner.Add(Ev.At(91, 55_000, epoch: 2));
        Assert.Empty(log.Releases);
        replay.Gate.SetResult();
        await aligner.PendingReplay;
        Expect(ReleaseKind.Due, 56);

        for (long ms = 15_100; ms <= 56_000; ms += 100)
        {
            aligner.UpdatePosition(new(2, ms));
        }

        Assert.Equal(Enumerable.Range(57, 35).Select(n => (long)n), log.Ids);
        Assert.Equal(0, aligner.HeldCount);
    }
}
