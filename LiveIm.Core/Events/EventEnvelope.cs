namespace LiveIm.Core.Events;

/// <summary>
/// The routing fields of a room event, read from its JSON by <see cref="RoomEventJson.TryReadEnvelope"/>.
/// <see cref="Lane"/> and <see cref="Type"/> are the interned constants of <see cref="Events.Lane"/> and
/// <see cref="RoomEventTypes"/> (compare them by reference or value; they never allocate). <see cref="StreamTs"/> and
/// <see cref="StreamEpoch"/> are the event's stream clock stamp (null without one): the gateway carries them onto a
/// tick's summed likes event.
/// </summary>
public readonly record struct EventEnvelope(
    long Id, long? Seq, string Lane, string Type, int Likes, long ServerTs, long? StreamTs = null, long? StreamEpoch = null)
{
    /// <summary>True on the sequenced, persisted lanes (gift, system).</summary>
    public bool IsReliable => Events.Lane.IsReliable(Lane);
}
