namespace LiveIm.RoomService.Stores;

/// <summary>
/// RoomService's state: ids, reliable-lane sequence and history, gift idempotency, presence totals.
/// <see cref="Redis.RedisRoomStore"/> implements it on Redis; another store is one more adapter.
/// Every method throws <see cref="StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IRoomStore
{
    /// <summary>Next room-unique event id (chat, likes: the best-effort lanes).</summary>
    Task<long> NextIdAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically: checks <paramref name="idempotencyKey"/> (when given), assigns the next id and seq, writes
    /// <c>head + ,"id":N,"seq":S + tail</c> to the bounded history, and records the idempotency entry.
    /// A repeated key returns the first append's result with <see cref="ReliableAppend.Duplicate"/> set.
    /// </summary>
    Task<ReliableAppend> AppendReliableAsync(
        string roomId, byte[] head, byte[] tail, string? idempotencyKey, CancellationToken cancellationToken);

    /// <summary>Records that the event of <paramref name="idempotencyKey"/> reached the bus.</summary>
    Task MarkPublishedAsync(string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The room's current reliable seq (0 before the first reliable event).</summary>
    Task<long> CurrentSeqAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>Reliable events with seq &gt; <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<HistorySlice> ReadHistoryAsync(string roomId, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Sum of the live presence reports of every gateway but <paramref name="exceptGatewayId"/>.</summary>
    Task<long> OnlineElsewhereAsync(string roomId, string exceptGatewayId, CancellationToken cancellationToken);
}
