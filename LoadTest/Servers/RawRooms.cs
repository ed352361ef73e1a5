using System.Collections.Concurrent;

namespace LiveIm.LoadTest.Servers;

/// <summary>The raw server's rooms and connections.</summary>
internal sealed class RawRooms
{
    private readonly ConcurrentDictionary<string, RawRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<RawConnection, byte> _connections = new();

    public RawRoom Get(string roomId) => _rooms.GetOrAdd(roomId, id => new RawRoom(id));

    public void Add(RawConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(RawConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>Queues a SignalR ping for every connection ("servers send a ping every 15 s", like ASP.NET Core's default).</summary>
    public void PingAll()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Enqueue(Protocol.SignalRFrames.Ping);
        }
    }
}
