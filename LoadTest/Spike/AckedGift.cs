namespace LiveIm.LoadTest.Spike;

/// <summary>A gift RoomService acknowledged: persisted and published, so owed to every member of its room.</summary>
/// <param name="RoomId">Its room.</param>
/// <param name="Number">The runner's gift number (in the gift id).</param>
/// <param name="Seq">Its reliable seq.</param>
/// <param name="Timestamp">When the acknowledgement arrived (<see cref="System.Diagnostics.Stopwatch"/>).</param>
internal sealed record AckedGift(string RoomId, long Number, long Seq, long Timestamp);
