namespace LiveIm.Redis.Internal;

/// <summary>
/// Exponential backoff with "equal jitter": the n-th wait is min·2ⁿ capped at max, of which the
/// first half is fixed and the second half random. The fixed half keeps a dead server from being
/// hammered; the random half spreads out the many clients that lost the same server at the same moment.
/// </summary>
internal sealed class Backoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private int _attempt;

    public Backoff(TimeSpan min, TimeSpan max)
    {
        _min = min < TimeSpan.Zero ? TimeSpan.Zero : min;
        _max = max < _min ? _min : max;
    }

    /// <summary>The wait before the next attempt.</summary>
    public TimeSpan Next()
    {
        // 2^20 · 50 ms is far past any sane max; capping the exponent keeps the multiplication finite.
        var exponent = Math.Min(_attempt, 20);
        _attempt++;
        var ceiling = Math.Min(_min.TotalMilliseconds * Math.Pow(2, exponent), _max.TotalMilliseconds);
        var half = ceiling / 2;
#pragma warning disable CA5394 // Jitter needs spread, not unpredictability.
        return TimeSpan.FromMilliseconds(half + (Random.Shared.NextDouble() * half));
#pragma warning restore CA5394
    }

    /// <summary>Starts over from <c>min</c> (after a success).</summary>
    public void Reset() => _attempt = 0;
}
