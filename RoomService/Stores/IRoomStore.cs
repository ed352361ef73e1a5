namespace LiveIm.RoomService.Stores;

/// <summary>
/// RoomService's state: ids, the chat budget, reliable-lane sequence and history, gift idempotency, presence totals,
/// room settings.
/// <see cref="Redis.RedisRoomStore"/> implements it on Redis; another store is one more adapter.
/// Every method throws <see cref="StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IRoomStore
{
    /// <summary>Next room-unique event id (likes; chat takes its id in <see cref="AdmitChatAsync"/>).</summary>
    Task<long> NextIdAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically, for one chat line: decides whether the room's chat budget admits it in 1-second window
    /// <paramref name="window"/> (docs/chat-budget.md) and, when it does, takes the next id (the counter of
    /// <see cref="NextIdAsync"/>). The room's own budget (<see cref="SetChatBudgetAsync"/>) wins over
    /// <paramref name="defaultBudget"/>; 0 = unlimited. <paramref name="privileged"/> senders are always admitted and
    /// use none of the budget. <paramref name="draw"/> is a uniform random number in [0, 1), passed in so that the
    /// decision is a pure function of its inputs (replication, tests).
    /// </summary>
    Task<ChatAdmission> AdmitChatAsync(
        string roomId, string userId, bool privileged, long window, double draw, int defaultBudget, CancellationToken cancellationToken);

    /// <summary>The room's own chat budget in lines/s (0 = unlimited), or null when the room uses the default.</summary>
    Task<int?> GetChatBudgetAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>Sets the room's own chat budget; null removes it (back to the default). Takes effect on the next line.</summary>
    Task SetChatBudgetAsync(string roomId, int? budgetPerSecond, CancellationToken cancellationToken);

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
