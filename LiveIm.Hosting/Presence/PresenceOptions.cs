namespace LiveIm.Hosting.Presence;

/// <summary>
/// Section <c>Presence</c>, read by gateways (how often they report) and RoomService (how often it broadcasts
/// changed totals). Set the same value on both: a report counts for <see cref="Ttl"/> = 5 intervals.
/// </summary>
public sealed class PresenceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Presence";

    /// <summary>Smallest interval: one script call per room per gateway per second is the most presence may cost.</summary>
    public const int MinIntervalSeconds = 1;

    /// <summary>Largest interval: beyond 10 s an online count lags what viewers see (a TTL of 50 s for a dead gateway).</summary>
    public const int MaxIntervalSeconds = 10;

    /// <summary>How long a report counts, in intervals: a slow Redis or a GC pause of a few seconds does not blink the count.</summary>
    public const int TtlIntervals = 5;

    /// <summary>Seconds between two reports of a gateway, and between two broadcast passes of RoomService (default 2).</summary>
    public int IntervalSeconds { get; set; } = 2;

    /// <summary>The interval.</summary>
    public TimeSpan Interval => TimeSpan.FromSeconds(IntervalSeconds);

    /// <summary>How long a report counts: <see cref="TtlIntervals"/> intervals.</summary>
    public TimeSpan Ttl => TimeSpan.FromSeconds(IntervalSeconds * TtlIntervals);

    /// <summary>Refuses a value out of range (the process does not start).</summary>
    public static void Check(PresenceOptions options)
    {
        if (options.IntervalSeconds is < MinIntervalSeconds or > MaxIntervalSeconds)
        {
            throw new InvalidOperationException(
                $"Presence:IntervalSeconds must be {MinIntervalSeconds}..{MaxIntervalSeconds} (whole seconds), not {options.IntervalSeconds}");
        }
    }
}
