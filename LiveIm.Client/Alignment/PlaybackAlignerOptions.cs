using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

/// <summary>Settings of a <see cref="PlaybackAligner"/> (docs/alignment.md).</summary>
public sealed class PlaybackAlignerOptions
{
    /// <summary>
    /// Most events held at once; past it the oldest (the next due) are released early. A hot room delivers about 20
    /// chat lines a second (the chat budget's default), at most 20 likes events (one per 50 ms tick), plus gifts and
    /// staff lines: some 50 events a second, 1,500 in a 30 s buffer (the deepest we plan for). 5,000 leaves 3x room
    /// for a raised budget or a replay window, at 1-2 MB of events: small for a phone.
    /// </summary>
    public int MaxHeld { get; init; } = 5_000;

    /// <summary>
    /// A position reported by <see cref="PlaybackAligner.UpdatePosition"/> more than this far ahead of the previous one
    /// (same epoch) is a seek forward: what it passes is released as <see cref="ReleaseKind.Skipped"/>. Players report
    /// every 100-250 ms; 5 s leaves room for a stalled UI thread or a backgrounded app before a jump counts as a seek.
    /// </summary>
    public long ForwardSeekThresholdMs { get; init; } = 5_000;

    /// <summary>
    /// A position reported by <see cref="PlaybackAligner.UpdatePosition"/> more than this far behind the previous one
    /// (same epoch) is a seek backward (a replay). A smaller step back is player jitter and is ignored: playback stays
    /// where it was. 1 s: players do not step back on their own by more than a frame or a rebuffer's rounding.
    /// </summary>
    public long BackwardSeekThresholdMs { get; init; } = 1_000;

    /// <summary>
    /// How many released ids the aligner remembers to drop duplicates (oldest forgotten first). 20,000 covers a
    /// resume's overlap and a 30 s replay window of a busy room, at about 1 MB.
    /// </summary>
    public int RememberedIds { get; init; } = 20_000;

    /// <summary>
    /// Fetches the events of one epoch whose stream time lies in [fromMs, toMs] (both inclusive; toMs
    /// <see cref="long.MaxValue"/> means to the end of the epoch), all pages, for a seek backward. Typically a call to
    /// RoomService's <c>GET /api/rooms/{roomId}/replay</c>. Null: seeks backward replay nothing.
    /// </summary>
    public Func<long, long, long, CancellationToken, Task<IReadOnlyList<RoomEvent>>>? Replay { get; init; }
}
