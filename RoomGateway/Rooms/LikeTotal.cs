using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// The likes of one tick, summed into one event: likes are a counter, not messages. A single like event passes
/// through as it came. The sum carries the stream clock stamp of its latest like (highest id), so a player releases
/// it with the video, not at once.
/// </summary>
internal readonly record struct LikeTotal(
    int Events, long Likes, long MaxId, long MaxServerTs, ReadOnlyMemory<byte> First, long? StreamTs = null, long? StreamEpoch = null)
{
    /// <summary>This sum plus one like event.</summary>
    public LikeTotal Add(ReadOnlyMemory<byte> json, EventEnvelope e) => new(
        Events + 1, Likes + e.Likes, Math.Max(MaxId, e.Id), Math.Max(MaxServerTs, e.ServerTs), Events == 0 ? json : First,
        Events == 0 || e.Id > MaxId ? e.StreamTs : StreamTs,
        Events == 0 || e.Id > MaxId ? e.StreamEpoch : StreamEpoch);

    /// <summary>The tick's one like event for <paramref name="roomId"/>.</summary>
    public TickEvent ToEvent(string roomId) => Events == 1
        ? new TickEvent(First, null, Lane.Like, MaxServerTs)
        : new TickEvent(RoomEventJson.Serialize(new RoomEvent
        {
            RoomId = roomId, Id = MaxId, Lane = Lane.Like, Type = RoomEventTypes.Likes,
            Likes = (int)Math.Min(int.MaxValue, Likes), ServerTs = MaxServerTs, StreamTs = StreamTs, StreamEpoch = StreamEpoch,
        }), null, Lane.Like, MaxServerTs);
}
