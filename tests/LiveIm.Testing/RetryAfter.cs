using System.Diagnostics;

namespace LiveIm.Testing;

/// <summary>Waits out a refusal's <c>retryAfterMs</c> the way a client must.</summary>
public static class RetryAfter
{
    /// <summary>
    /// Waits at least <paramref name="ms"/> + 1 ms by a precise clock: Task.Delay runs on the coarse tick count
    /// (CLOCK_MONOTONIC_COARSE on Linux, a 4 ms step at HZ=250) and may complete a few ms early, while the limiters
    /// use precise clocks; a retry that early is rightly refused again with retryAfterMs=1..4.
    /// </summary>
    public static async Task WaitAsync(long ms)
    {
        var waited = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromMilliseconds(ms));
        while (waited.ElapsedMilliseconds < ms + 1)
        {
            await Task.Delay(1);
        }
    }
}
