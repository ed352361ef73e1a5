namespace LiveIm.RoomService.StreamClock;

/// <summary>The stream clock's settings (configuration section <c>StreamClock</c>; docs/operations.md, docs/stream-clock.md).</summary>
public sealed class StreamClockOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "StreamClock";

    /// <summary>
    /// Largest stream time the scripts can place on the replay timeline: replay scores are <c>streamTs × 2^21 + n</c>,
    /// exact while below 2^53, so stream times below 2^32 ms (49.7 days).
    /// </summary>
    public const long MaxStreamMsLimit = uint.MaxValue;

    /// <summary>
    /// The sliding window of the minimum. Reports come every 0.5-2 s, so 30 s holds 15-60 of them: enough that one
    /// travelled with close to the least delay the path allows, short enough to follow the drift between the encoder's
    /// clock and ours (crystals drift up to ~50 ppm: 1.5 ms per 30 s, far below the 50 ms we aim for).
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A report further than this from where the stream should be (the last report's stream time plus the time since)
    /// starts a new epoch: the stream restarted or the encoder reset its clock. 3 s is more than any jitter of a report
    /// (a few hundred ms on a bad mobile uplink) and less than any restart a viewer would notice.
    /// </summary>
    public long DiscontinuityMs { get; set; } = 3000;

    /// <summary>
    /// A clock without a report for this long stamps nothing (events get streamTs null): the stream has stopped, or its
    /// reporter has. 5 min rides out a reporter's reconnects and a streamer's short network loss; a stream that resumes
    /// where it should be keeps its epoch.
    /// </summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Largest stream time a report may carry: 30 days. Live streams last hours; a bigger number is a bug or an attack
    /// (a unix time in ms, say) and is refused with <c>invalid_argument</c>. At most <see cref="MaxStreamMsLimit"/>.
    /// </summary>
    public long MaxStreamMs { get; set; } = 30L * 24 * 3600 * 1000;

    /// <summary>Width of one bucket of the window's per-bucket minima: 30 buckets per window (1 s by default).</summary>
    public long BucketMs => Math.Max(1, (long)Window.TotalMilliseconds / 30);

    /// <summary>True when every setting is in range.</summary>
    public bool IsValid() =>
        Window >= TimeSpan.FromSeconds(1) && Window <= TimeSpan.FromMinutes(10)
        && DiscontinuityMs is >= 100 and <= 600_000
        && StaleAfter >= TimeSpan.FromSeconds(10) && StaleAfter <= TimeSpan.FromDays(1)
        && MaxStreamMs is >= 3_600_000 and <= MaxStreamMsLimit;

    /// <summary>The message when <see cref="IsValid"/> is false.</summary>
    public const string ValidationMessage =
        "StreamClock:Window must be between 00:00:01 and 00:10:00, StreamClock:DiscontinuityMs between 100 and 600000, "
        + "StreamClock:StaleAfter between 00:00:10 and 1.00:00:00, StreamClock:MaxStreamMs between 3600000 and 4294967295";
}
