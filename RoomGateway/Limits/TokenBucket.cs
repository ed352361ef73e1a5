namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// A token bucket's rule (a rate and a burst), shared by every connection it applies to; each bucket's state is one
/// <see cref="long"/> owned by the caller. Written in the GCRA form: the state is the bucket's "theoretical arrival
/// time", the instant at which it would be full again; a take moves it one interval later, and is refused when that
/// would put it more than a burst's worth of intervals ahead of now. Exactly a token bucket of <c>burst</c> tokens
/// refilled at <c>rate</c>/s, lazily: nothing happens between calls, however long the pause (no timer per bucket),
/// and an idle bucket of any age is simply full.
/// </summary>
/// <remarks>
/// <para>Why not <c>System.Threading.RateLimiting.TokenBucketRateLimiter</c> (it is in the shared framework): with
/// <c>AutoReplenishment = true</c> each limiter owns a timer, which 100k connections x 6 kinds cannot afford. With
/// <c>AutoReplenishment = false</c> and <c>TryReplenish()</c> before each acquire it does refill by elapsed time, but
/// a full bucket skips the replenish without moving its clock, so the first refill after an idle, full spell credits
/// the whole idle time at once: a client gets up to two bursts back to back
/// (<c>TokenBucketTests.The_framework_limiter_without_auto_replenishment_refills_a_drained_bucket_at_once_after_an_idle_full_spell</c>
/// keeps that observation checked). Its <c>RetryAfter</c> is rounded to whole periods, a refused acquire allocates a
/// lease, each limiter carries a lock, a queue and a copy of its options, and its clock cannot be replaced in tests.
/// This form is O(1) per call, lock-free (one compare-exchange), exact to the clock tick, 8 bytes of state per bucket,
/// and tested against a fake clock.</para>
/// </remarks>
public sealed class TokenBucket
{
    private readonly long _interval;
    private readonly long _tolerance;
    private readonly double _ticksPerMs;

    /// <param name="perSecond">Tokens added per second.</param>
    /// <param name="burst">Bucket size: how many calls may come at once after a pause.</param>
    /// <param name="timestampFrequency">Ticks per second of the clock (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public TokenBucket(double perSecond, int burst, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timestampFrequency);
        PerSecond = perSecond;
        Burst = burst;
        _interval = Math.Max(1, (long)Math.Round(timestampFrequency / perSecond));
        _tolerance = _interval * burst;
        _ticksPerMs = timestampFrequency / 1000.0;
    }

    /// <summary>Tokens added per second.</summary>
    public double PerSecond { get; }

    /// <summary>Bucket size.</summary>
    public int Burst { get; }

    /// <summary>
    /// Takes one token from the bucket whose state is <paramref name="state"/> (0 for a new, full bucket) at clock
    /// time <paramref name="now"/>. Safe to call from several threads on the same state.
    /// </summary>
    /// <param name="retryAfterMs">When refused: milliseconds until a token is available, at least 1; else 0.</param>
    public bool TryTake(ref long state, long now, out long retryAfterMs)
    {
        while (true)
        {
            var tat = Volatile.Read(ref state);
            var next = Math.Max(tat, now) + _interval;
            var ahead = next - now;
            if (ahead > _tolerance)
            {
                retryAfterMs = Math.Max(1, (long)Math.Ceiling((ahead - _tolerance) / _ticksPerMs));
                return false;
            }

            if (Interlocked.CompareExchange(ref state, next, tat) == tat)
            {
                retryAfterMs = 0;
                return true;
            }
        }
    }
}
