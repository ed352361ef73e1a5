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

    /// <summary>True when every setting is in range.</summary>
    public bool IsValid() =>
        MaxCount is >= 1 and <= 10_000_000 && MaxAge >= TimeSpan.FromMinutes(1) && MaxAge <= TimeSpan.FromDays(7);

    /// <summary>The message when <see cref="IsValid"/> is false.</summary>
    public const string ValidationMessage =
        "Replay:MaxCount must be between 1 and 10000000, Replay:MaxAge between 00:01:00 and 7.00:00:00";
}
