namespace LiveIm.Hosting.Presence;

/// <summary>
/// Where rooms' presence lives, for gateways and RoomService alike (docs/operations.md, "Presence"): each gateway
/// reports its local member count per room with a time-to-live, RoomService reads the totals and broadcasts changes.
/// <see cref="Redis.RedisPresenceStore"/> implements it on Redis. Every method throws
/// <see cref="LiveIm.Core.Stores.StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IPresenceStore
{
    /// <summary>
    /// Writes <paramref name="gatewayId"/>'s local member count of the room, counting for <paramref name="ttl"/> (0
    /// withdraws it). No total comes back: the reads purge expired reports and sum.
    /// </summary>
    Task ReportAsync(string roomId, string gatewayId, long count, long nowMs, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The room's live total, leaving out <paramref name="exceptGatewayId"/>'s report when given.</summary>
    Task<RoomPresence> ReadAsync(string roomId, string? exceptGatewayId, long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// A join's snapshot, in one call: records <paramref name="gatewayId"/>'s fresh local count of the room (joiner
    /// included) as its report, counting for <paramref name="ttl"/>, when <paramref name="count"/> &gt; 0 (0 records
    /// nothing), and returns the live total of the other gateways.
    /// </summary>
    Task<RoomPresence> JoinAsync(string roomId, string gatewayId, long count, long nowMs, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>The room's live total, and whether it differs from the last total broadcast (which it becomes).</summary>
    Task<RoomPresence> CheckBroadcastAsync(string roomId, long nowMs, TimeSpan remember, CancellationToken cancellationToken);

    /// <summary>Forgets the last total broadcast to the room (its broadcast failed): the next check reports a change.</summary>
    Task ForgetBroadcastAsync(string roomId, CancellationToken cancellationToken);

    /// <summary>Marks a gateway's rooms with members as live until <paramref name="expiryMs"/>, all in one write.</summary>
    Task MarkRoomsLiveAsync(IReadOnlyCollection<string> roomIds, long expiryMs, CancellationToken cancellationToken);

    /// <summary>Rooms some gateway reported members of within the TTL (forgetting the others).</summary>
    Task<IReadOnlyList<string>> LiveRoomsAsync(long nowMs, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="instanceId"/> may run this broadcast pass: the lease was free and is now its own for
    /// <paramref name="hold"/>. Several RoomService instances then run about one pass per interval between them.
    /// </summary>
    Task<bool> TryLeadAsync(string instanceId, TimeSpan hold, CancellationToken cancellationToken);

    /// <summary>The room's members per reporting gateway, as last reported (an expired report may still show until a read purges it).</summary>
    Task<IReadOnlyDictionary<string, long>> MembersByGatewayAsync(string roomId, CancellationToken cancellationToken);
}
