namespace LiveIm.Client.Alignment;

/// <summary>
/// Where the player is: the stream session (<paramref name="Epoch"/>, as in <c>RoomEvent.StreamEpoch</c>) and the
/// stream timeline milliseconds within it (<paramref name="StreamMs"/>, as in <c>RoomEvent.StreamTs</c>).
/// Compared lexicographically: epoch first, then stream time.
/// </summary>
public readonly record struct PlaybackPosition(long Epoch, long StreamMs) : IComparable<PlaybackPosition>
{
    /// <inheritdoc />
    public int CompareTo(PlaybackPosition other)
    {
        var byEpoch = Epoch.CompareTo(other.Epoch);
        return byEpoch != 0 ? byEpoch : StreamMs.CompareTo(other.StreamMs);
    }

    public static bool operator <(PlaybackPosition left, PlaybackPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(PlaybackPosition left, PlaybackPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(PlaybackPosition left, PlaybackPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PlaybackPosition left, PlaybackPosition right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Epoch}:{StreamMs}ms";
}
