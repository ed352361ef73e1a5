using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

/// <summary>Events that the <see cref="PlaybackAligner"/> released together, in release order, and why.</summary>
/// <param name="Events">At least one event; in stream order (epoch, stream time, id), except for events released the
/// moment they were added, which keep their arrival order.</param>
/// <param name="Kind">Why they were released now.</param>
public sealed record AlignedRelease(IReadOnlyList<RoomEvent> Events, ReleaseKind Kind)
{
    /// <summary>Playback jumped past these events.</summary>
    public bool IsSkipped => Kind == ReleaseKind.Skipped;

    /// <summary>Released before playback reached them.</summary>
    public bool IsEarly => Kind == ReleaseKind.Early;
}
