using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// What a room's next flush will write: its events in order, the sum of its likes, the latest online count if it
/// changed, and the users its ban events close. Not thread-safe: <see cref="LocalRoom"/> owns it under its lock.
/// </summary>
internal sealed class PendingTick
{
    private List<TickEvent> _events = new();
    private List<string>? _bans;
    private LikeTotal _likes;
    private long _online = -1;
    private long _onlineSent = -1;

    /// <summary>True when a reliable event (gift, system) waits in it: its flush may come sooner.</summary>
    public bool HasReliable { get; private set; }

    /// <summary>Adds a chat event, or a reliable one the room released in seq order (a ban notes its user).</summary>
    public void Add(TickEvent e)
    {
        _events.Add(e);
        if (!e.IsReliable)
        {
            return;
        }

        HasReliable = true;
        if (e.Lane == Lane.System && RoomEventJson.TryReadEnvelope(e.Json.Span, out var envelope)
            && ReferenceEquals(envelope.Type, RoomEventTypes.Ban) && RoomEventJson.TryReadModerationUserId(e.Json.Span, out var userId))
        {
            (_bans ??= new List<string>(1)).Add(userId);
        }
    }

    /// <summary>Adds one like event to the tick's sum.</summary>
    public void AddLike(ReadOnlyMemory<byte> json, EventEnvelope e) => _likes = _likes.Add(json, e);

    /// <summary>Sets the room's online count; false when it did not change.</summary>
    public bool SetOnline(long online)
    {
        if (online == _online)
        {
            return false;
        }

        _online = online;
        return true;
    }

    /// <summary>Takes what is pending and starts an empty tick: the events to write, in order, and the bans.</summary>
    public (List<TickEvent> Events, List<string>? Bans) Take(string roomId)
    {
        var events = _events;
        var bans = _bans;
        var likes = _likes;
        var online = _online != _onlineSent ? _online : -1;
        _events = new List<TickEvent>(Math.Min(events.Count, 256));
        _bans = null;
        _likes = default;
        _onlineSent = _online;
        HasReliable = false;
        if (likes.Events > 0)
        {
            events.Add(likes.ToEvent(roomId));
        }

        if (online >= 0)
        {
            events.Add(new TickEvent(RoomEventJson.Serialize(new RoomEvent
            {
                RoomId = roomId, Lane = Lane.System, Type = RoomEventTypes.Online, Online = online,
                ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }), null, Lane.System));
        }

        return (events, bans);
    }
}
