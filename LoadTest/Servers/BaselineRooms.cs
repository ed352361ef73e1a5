using System.Collections.Concurrent;

namespace LiveIm.LoadTest.Servers;

/// <summary>The baseline's per-room counters (event id for every event, seq for gifts), kept in memory.</summary>
public sealed class BaselineRooms
{
    private readonly ConcurrentDictionary<string, Counters> _rooms = new(StringComparer.Ordinal);

    /// <summary>The next event id of <paramref name="roomId"/>.</summary>
    public long NextId(string roomId) => Interlocked.Increment(ref Room(roomId).Id);

    /// <summary>The next gift seq of <paramref name="roomId"/>.</summary>
    public long NextSeq(string roomId) => Interlocked.Increment(ref Room(roomId).Seq);

    /// <summary>The last gift seq of <paramref name="roomId"/>.</summary>
    public long CurrentSeq(string roomId) => Interlocked.Read(ref Room(roomId).Seq);

    private Counters Room(string roomId) => _rooms.GetOrAdd(roomId, _ => new Counters());

    private sealed class Counters
    {
        public long Id;
        public long Seq;
    }
}
