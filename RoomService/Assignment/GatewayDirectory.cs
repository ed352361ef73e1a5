using LiveIm.Core.Gateways;
using LiveIm.Hosting.Presence;

namespace LiveIm.RoomService.Assignment;

/// <summary>
/// The gateways' state, pulled on each assignment (no cache: a draining gateway's report takes effect with the next
/// request): the fresh load reports (<see cref="IGatewayRegistry"/>) and a room's members per gateway (the gateways'
/// presence reports, <see cref="IPresenceStore"/>). The two reads go out side by side.
/// </summary>
public sealed class GatewayDirectory
{
    private readonly IGatewayRegistry _registry;
    private readonly IPresenceStore _presence;
    private readonly TimeProvider _time;

    public GatewayDirectory(IGatewayRegistry registry, IPresenceStore presence, TimeProvider time)
    {
        _registry = registry;
        _presence = presence;
        _time = time;
    }

    /// <summary>The gateways whose report has not expired.</summary>
    public Task<IReadOnlyList<GatewayLoadReport>> FreshReportsAsync(CancellationToken ct) =>
        _registry.FreshReportsAsync(_time.GetUtcNow().ToUnixTimeMilliseconds(), ct);

    /// <summary>Members of <paramref name="roomId"/> per gateway (empty for no room).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RoomMembersAsync(string? roomId, CancellationToken ct) =>
        roomId is null ? new Dictionary<string, long>() : await _presence.MembersByGatewayAsync(roomId, ct);
}
