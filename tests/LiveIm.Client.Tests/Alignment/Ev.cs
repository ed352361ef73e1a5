using LiveIm.Core.Events;

namespace LiveIm.Client.Tests.Alignment;

/// <summary>Room events for the tests: a chat line at a stream time, a gift, an event without a clock.</summary>
internal static class Ev
{
    public static RoomEvent At(long id, long streamTs, long epoch = 1, string lane = Lane.Chat) => new()
    {
        RoomId = "r1",
        Id = id,
        Lane = lane,
        Type = lane == Lane.Gift ? RoomEventTypes.Gift : RoomEventTypes.Chat,
        ServerTs = 1_763_740_000_000 + streamTs,
        StreamTs = streamTs,
        StreamEpoch = epoch,
    };

    public static RoomEvent Gift(long id, long streamTs, long epoch = 1) => At(id, streamTs, epoch, Lane.Gift);

    public static RoomEvent NoClock(long id) => new()
    {
        RoomId = "r1",
        Id = id,
        Lane = Lane.Chat,
        Type = RoomEventTypes.Chat,
        ServerTs = 1_763_740_000_000,
    };
}
