namespace LiveIm.IntegrationTests;

/// <summary>
/// A clock the test moves by hand (RoomService's <see cref="TimeProvider"/> in <see cref="StreamClockCluster"/>): the
/// stream clock's arithmetic is checked to the millisecond, with no dependence on how fast the machine runs. Only
/// ever moves forward. Timers are the system's (RoomService starts none through its TimeProvider).
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Now, in ms since the Unix epoch.</summary>
    public long NowMs => Interlocked.Read(ref _nowMs);

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(NowMs);

    /// <summary>Moves the clock to <paramref name="ms"/> (never backwards).</summary>
    public void Set(long ms)
    {
        if (ms < NowMs)
        {
            throw new InvalidOperationException($"the test clock only moves forward ({NowMs} -> {ms})");
        }

        Interlocked.Exchange(ref _nowMs, ms);
    }

    /// <summary>Moves the clock forward by <paramref name="ms"/>.</summary>
    public void Advance(long ms) => Set(NowMs + ms);
}
