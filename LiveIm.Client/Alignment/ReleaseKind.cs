namespace LiveIm.Client.Alignment;

/// <summary>Why a batch of events left the <see cref="PlaybackAligner"/>.</summary>
public enum ReleaseKind
{
    /// <summary>
    /// Due: playback reached the events' stream time, or they have no place on the timeline that playback could reach
    /// (no clock, or an epoch older than playback's). Show them as they come.
    /// </summary>
    Due,

    /// <summary>
    /// Released before playback reached them: the buffer was over <see cref="PlaybackAlignerOptions.MaxHeld"/> (the
    /// oldest go first), or <see cref="PlaybackAligner.Flush"/> emptied it.
    /// </summary>
    Early,

    /// <summary>Playback jumped forward past these events (a seek): a UI may show them collapsed.</summary>
    Skipped,
}
