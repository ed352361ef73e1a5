using System.Collections.Concurrent;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Every gift the senders had acknowledged, with its seq and when: what every viewer of the room is owed. Gift numbers
/// are unique per run (a viewer's bitmap is indexed by them).
/// </summary>
internal sealed class GiftLedger
{
    private readonly ConcurrentQueue<AckedGift> _acked = new();
    private long _next;

    /// <summary>The next gift number.</summary>
    public long NextNumber() => Interlocked.Increment(ref _next) - 1;

    /// <summary>Records an acknowledged gift.</summary>
    public void Ack(string roomId, long number, long seq, long timestamp) => _acked.Enqueue(new AckedGift(roomId, number, seq, timestamp));

    /// <summary>The acknowledged gifts so far.</summary>
    public IReadOnlyList<AckedGift> Acked => _acked.ToArray();
}
