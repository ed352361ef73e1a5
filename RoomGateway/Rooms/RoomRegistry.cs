using System.Collections.Concurrent;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>The gateway's local rooms (room id → <see cref="LocalRoom"/>) and connections (id → <see cref="RoomMember"/>).</summary>
public sealed class RoomRegistry
{
    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;
    private readonly TickPolicy _policy;

    private readonly ConcurrentDictionary<string, LocalRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoomMember> _members = new(StringComparer.Ordinal);

    public RoomRegistry(FanoutOptions options, FanoutMetrics metrics, TickPolicy policy)
    {
        _options = options;
        _metrics = metrics;
        _policy = policy;
        metrics.ObserveRegistry(() => ConnectionCount, () => RoomCount);
        metrics.ObserveHotRooms(() => _rooms.Values.Select(r => (r.RoomId, r.Count, r.TickMs, r.LastFlushMicrosPerMember)));
    }

    /// <summary>Rooms with local members.</summary>
    public IEnumerable<LocalRoom> Rooms => _rooms.Values;

    /// <summary>Connected members (a snapshot-free view: members may come and go while it is enumerated).</summary>
    public IEnumerable<RoomMember> Members => _members.Values;

    /// <summary>Connected members.</summary>
    public int ConnectionCount => _members.Count;

    /// <summary>Rooms with local members.</summary>
    public int RoomCount => _rooms.Count;

    public LocalRoom GetOrAddRoom(string roomId) => _rooms.GetOrAdd(roomId, id => new LocalRoom(id, _options, _metrics, _policy));

    public bool TryGetRoom(string roomId, out LocalRoom room) => _rooms.TryGetValue(roomId, out room!);

    public void RemoveRoom(LocalRoom room)
    {
        _rooms.TryRemove(new KeyValuePair<string, LocalRoom>(room.RoomId, room));
        room.Dispose();
    }

    public void AddMember(RoomMember member) => _members[member.ConnectionId] = member;

    public RoomMember? FindMember(string connectionId) => _members.TryGetValue(connectionId, out var m) ? m : null;

    public RoomMember? RemoveMember(string connectionId) => _members.TryRemove(connectionId, out var m) ? m : null;
}
