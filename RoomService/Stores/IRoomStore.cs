namespace LiveIm.RoomService.Stores;

/// <summary>
/// RoomService's state: ids, the chat budget, moderation (bans, mutes, slow mode), rate budgets, reliable-lane sequence
/// and history, gift idempotency, presence totals, room settings, the stream clock and replay. It speaks in rooms,
/// users and events; how they are kept is the adapter's business (<see cref="Redis.RedisRoomStore"/> on Redis; another
/// store is one more adapter). Every method throws <see cref="LiveIm.Core.Stores.StoreUnavailableException"/> when the
/// store cannot be reached or does not answer in time.
/// </summary>
public interface IRoomStore
{
    /// <summary>Next room-unique event id (likes; chat takes its id in <see cref="AdmitChatAsync"/>).</summary>
    Task<long> NextIdAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically, for one chat line: refuses it when the sender is banned, muted or inside the room's slow-mode wait
    /// (at <paramref name="nowMs"/>; privileged senders are none of these), then decides whether the room's chat
    /// budget admits it in 1-second window <paramref name="window"/> (docs/chat-budget.md) and, when it does, takes
    /// the next id (the counter of <see cref="NextIdAsync"/>) and starts the sender's slow-mode wait. The room's own budget (<see cref="SetChatBudgetAsync"/>) wins over
    /// <paramref name="defaultBudget"/>; 0 = unlimited. <paramref name="privileged"/> senders are always admitted and
    /// use none of the budget. <paramref name="draw"/> is a uniform random number in [0, 1), passed in so that the
    /// decision is a pure function of its inputs (replication, tests).
    /// An admitted line (<paramref name="line"/>, with no seq) is stamped with the room's stream clock at
    /// <paramref name="nowMs"/> in the same call, and stored for replay when the room has a clock.
    /// </summary>
    Task<ChatAdmission> AdmitChatAsync(
        string roomId, string userId, bool privileged, long nowMs, long window, double draw, int defaultBudget, EventDraft line,
        CancellationToken cancellationToken);

    /// <summary>
    /// A like of <paramref name="userId"/>: its id and JSON stamped with the stream clock at <paramref name="nowMs"/>
    /// (stored for replay when the room has a clock), or null when the user is banned from the room.
    /// </summary>
    Task<StampedEvent?> AppendLikeAsync(
        string roomId, string userId, bool privileged, EventDraft like, long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// Applies one stream clock report (stream time <paramref name="streamMs"/>, arrived at <paramref name="nowMs"/>)
    /// atomically: the window minimum, a new epoch on a discontinuity (docs/stream-clock.md). The caller validated it.
    /// </summary>
    Task<ClockUpdate> ReportClockAsync(string roomId, long streamMs, long nowMs, CancellationToken cancellationToken);

    /// <summary>The room's stream clock as stored, or null when it never had one (or it expired).</summary>
    Task<ClockState?> ReadClockAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>
    /// Events of <paramref name="epoch"/> with stream time in [<paramref name="fromMs"/>, <paramref name="toMs"/>]
    /// (<see cref="long.MaxValue"/>: to the end), strictly after replay position <paramref name="after"/> when given,
    /// in stream order (ties by id), at most <paramref name="limit"/>, only of <paramref name="lanes"/> when given.
    /// </summary>
    Task<ReplaySlice> ReadReplayAsync(
        string roomId, long epoch, long fromMs, long toMs, long? after, int limit, IReadOnlyCollection<string>? lanes, CancellationToken cancellationToken);

    /// <summary>True when <paramref name="userId"/> is banned from the room.</summary>
    Task<bool> IsBannedAsync(string roomId, string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Takes one send of <paramref name="kind"/> from <paramref name="userId"/>'s own budget (GCRA at
    /// <paramref name="limit"/>, shared by all rooms and gateways). Returns 0 when allowed (charged), else the ms until
    /// a send would be allowed (nothing charged).
    /// </summary>
    Task<long> TakeUserRateAsync(string userId, Limits.SendKind kind, long nowMs, Limits.RateLimit limit, CancellationToken cancellationToken);

    /// <summary>Gives back one send taken with <see cref="TakeUserRateAsync"/> (a later check refused the send).</summary>
    Task RefundUserRateAsync(string userId, Limits.SendKind kind, long nowMs, Limits.RateLimit limit, CancellationToken cancellationToken);

    /// <summary>True when the room already has the gift <paramref name="gift"/> (a retry of a known gift).</summary>
    Task<bool> GiftExistsAsync(string roomId, GiftKey gift, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically: writes the state of one moderation action (mute with expiry, ban set, slow mode) and appends its
    /// event (<paramref name="system"/>) to the reliable lane like <see cref="AppendReliableAsync"/>. Null when a delete names an id
    /// the room never gave out (nothing written).
    /// </summary>
    Task<ReliableAppend?> ModerateAsync(string roomId, EventDraft system, ModerationWrite write, CancellationToken cancellationToken);

    /// <summary>The room's own chat budget in lines/s (0 = unlimited), or null when the room uses the default.</summary>
    Task<int?> GetChatBudgetAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>Sets the room's own chat budget; null removes it (back to the default). Takes effect on the next line.</summary>
    Task SetChatBudgetAsync(string roomId, int? budgetPerSecond, CancellationToken cancellationToken);

    /// <summary>
    /// Atomically: checks <paramref name="gift"/> (when given), assigns the next id and seq, stamps
    /// <paramref name="reliable"/> with them and with the stream clock as it is at the append, writes it to the
    /// bounded history and to the replay store, and remembers the gift. A known gift returns the first append's result
    /// with <see cref="ReliableAppend.Duplicate"/> set, before any other check. With <paramref name="checks"/>, a new
    /// event is refused when the sender is banned or the room's rate is exhausted (<see cref="ReliableAppend.Refusal"/>).
    /// </summary>
    Task<ReliableAppend> AppendReliableAsync(
        string roomId, EventDraft reliable, GiftKey? gift, AppendChecks? checks, CancellationToken cancellationToken);

    /// <summary>Records that the event of <paramref name="gift"/> reached the bus.</summary>
    Task MarkPublishedAsync(string roomId, GiftKey gift, CancellationToken cancellationToken);

    /// <summary>The room's current reliable seq (0 before the first reliable event).</summary>
    Task<long> CurrentSeqAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>Reliable events with seq &gt; <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>.</summary>
    Task<HistorySlice> ReadHistoryAsync(string roomId, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Sum of the live presence reports of every gateway but <paramref name="exceptGatewayId"/>; with
    /// <paramref name="record"/>, in the same script call, that gateway's fresh local count of the room (joiner
    /// included) is first recorded as its report, counting for <paramref name="ttl"/>.
    /// </summary>
    Task<long> OnlineElsewhereAsync(string roomId, string exceptGatewayId, long? record, TimeSpan ttl, CancellationToken cancellationToken);
}
