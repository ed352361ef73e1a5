using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Cuts a run of events into the pieces that go out as one frame each: consecutive events, in order, whose JSON adds up
/// to at most <see cref="FanoutOptions.MaxFrameBytes"/> (one event bigger than that goes alone). A room's tick and a
/// join's history are cut the same way, so a client never parses a frame much bigger than the bound.
/// </summary>
internal static class FramePieces
{
    /// <summary>The pieces of <paramref name="events"/>; the list itself when it fits in one frame.</summary>
    public static IEnumerable<List<TickEvent>> Of(List<TickEvent> events, int maxFrameBytes)
    {
        var start = 0;
        while (start < events.Count)
        {
            var end = start;
            var bytes = 0;
            while (end < events.Count && (end == start || bytes + events[end].Json.Length <= maxFrameBytes))
            {
                bytes += events[end].Json.Length + 1;
                end++;
            }

            yield return start == 0 && end == events.Count ? events : events.GetRange(start, end - start);
            start = end;
        }
    }
}
