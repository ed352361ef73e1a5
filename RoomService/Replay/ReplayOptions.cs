namespace LiveIm.RoomService.Replay;

/// <summary>Bounds of the replay store (configuration section <c>Replay</c>; docs/operations.md).</summary>
public sealed class ReplayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Replay";

    /// <summary>
    /// Events kept per room and epoch (the oldest stream times go first). 100,000 is about 33 minutes of the hottest
    /// room we plan for (50 events/s: the chat budget, likes ticks, gifts) and hours of an ordinary one, at roughly
    /// 0.4 KB per event in Redis (docs/replay-performance.md): about 40 MB for a full set.
    /// </summary>
    public int MaxCount { get; set; } = 100_000;

    /// <summary>
    /// Stream time an event stays replayable behind the epoch's newest event; an epoch nobody writes to expires this
    /// long after its last event. 2 h covers the seek-back and catch-up window of a live session.
    /// </summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Replay pages per second one client address may read (a token bucket per address; 0 = no limit). The endpoint is
    /// public, so this keeps one scraper from taking Redis's time from the live rooms. 20 pages/s is 4,000 events/s
    /// at the default page: a player seeking back reads one to a few pages per seek.
    /// </summary>
    public int PerIpPerSecond { get; set; } = 20;

    /// <summary>Pages an address may read at once after a pause (a burst of seeks, a catch-up of a whole window).</summary>
    public int PerIpBurst { get; set; } = 40;

    /// <summary>True when every setting is in range.</summary>
    public bool IsValid() =>
        MaxCount is >= 1 and <= 10_000_000 && MaxAge >= TimeSpan.FromMinutes(1) && MaxAge <= TimeSpan.FromDays(7)
        && PerIpPerSecond is >= 0 and <= 100_000 && PerIpBurst is >= 1 and <= 100_000;

    /// <summary>The message when <see cref="IsValid"/> is false.</summary>
    public const string ValidationMessage =
        "Replay:MaxCount must be between 1 and 10000000, Replay:MaxAge between 00:01:00 and 7.00:00:00, " +
        "Replay:PerIpPerSecond between 0 (no limit) and 100000, Replay:PerIpBurst between 1 and 100000";
}
