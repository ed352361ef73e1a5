using LiveIm.Client.Alignment;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Events_from_the_connection_thread_and_positions_from_the_player_thread_release_each_event_once_never_early()
    {
        const int count = 20_000;
        var aligner = new PlaybackAligner(new PlaybackAlignerOptions { MaxHeld = count });
        var seen = new int[count + 1];
        var inHandler = 0;
        var overlaps = 0;
        var tooEarly = 0;
        aligner.Released += r =>
        {
            if (Interlocked.Increment(ref inHandler) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            // Playback only moves forward in this test, so the position now is at or past the one that released r.
            var position = aligner.Position;
            foreach (var e in r.Events)
            {
                Interlocked.Increment(ref seen[e.Id]);
                if (r.Kind == ReleaseKind.Due && e.StreamTs is { } ts && (position is null || position.Value.StreamMs < ts))
                {
                    Interlocked.Increment(ref tooEarly);
                }
            }

            Interlocked.Decrement(ref inHandler);
        };

        using var start = new Barrier(2);
        var connection = Task.Run(() =>
        {
            var rng = new Random(11);
            start.SignalAndWait();
            for (var id = 1; id <= count;)
            {
                var n = Math.Min(rng.Next(1, 40), count - id + 1);
                aligner.Add([.. Enumerable.Range(id, n).Select(i => i % 13 == 0 ? Ev.NoClock(i) : Ev.At(i, i))]);
                id += n;
            }
        });
        var player = Task.Run(() =>
        {
            start.SignalAndWait();
            for (long ms = 0; ms <= count; ms += 7)
            {
                aligner.UpdatePosition(new PlaybackPosition(1, ms));
            }
        });
        await Task.WhenAll(connection, player);
        aligner.UpdatePosition(new PlaybackPosition(1, count));

        Assert.Equal(0, overlaps);
        Assert.Equal(0, tooEarly);
        Assert.All(seen.Skip(1), n => Assert.Equal(1, n));
        Assert.Equal(0, aligner.HeldCount);
    }
}
