using System.Diagnostics;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// Spaces one sender's messages at a rate (message k is due at start + k / rate); without a rate it never waits. A
/// sender that is ahead sleeps until its next message is due (at least a millisecond, the timer's grain), then sends
/// what came due meanwhile in a burst, so the average holds while the sleeps stay coarse.
/// </summary>
internal sealed class NatsBenchPacer
{
    private readonly double? _rate;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _sent;

    /// <summary>A pacer at <paramref name="rate"/> messages/s, or unpaced when null.</summary>
    public NatsBenchPacer(double? rate)
    {
        _rate = rate;
    }

    /// <summary>Waits until the next message is due and counts it.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (_rate is { } rate)
        {
            var ahead = (_sent / rate) - Stopwatch.GetElapsedTime(_start).TotalSeconds;
            if (ahead > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(ahead, 0.001)), cancellationToken).ConfigureAwait(false);
            }
        }

        _sent++;
    }
}
