namespace LiveIm.Client.Alignment;

/// <summary>Counters of a <see cref="PlaybackAligner"/> since it was created (a snapshot).</summary>
/// <param name="Held">Events waiting for playback now.</param>
/// <param name="Received">Events given to <see cref="PlaybackAligner.Add(IReadOnlyList{LiveIm.Core.Events.RoomEvent})"/>.</param>
/// <param name="Replayed">Events returned by the replay source (merged, before de-duplication).</param>
/// <param name="Duplicates">Events not taken because an event with the same id was held or already released in this pass.</param>
/// <param name="ReleasedDue">Events released as <see cref="ReleaseKind.Due"/>.</param>
/// <param name="ReleasedEarly">Events released as <see cref="ReleaseKind.Early"/> (over the bound, or flushed).</param>
/// <param name="ReleasedSkipped">Events released as <see cref="ReleaseKind.Skipped"/>.</param>
/// <param name="ReplayRequests">Calls made to the replay source.</param>
/// <param name="ReplayFailures">Replay calls that failed (see <see cref="PlaybackAligner.ReplayFailed"/>).</param>
public readonly record struct AlignerStats(
    int Held,
    long Received,
    long Replayed,
    long Duplicates,
    long ReleasedDue,
    long ReleasedEarly,
    long ReleasedSkipped,
    long ReplayRequests,
    long ReplayFailures);
