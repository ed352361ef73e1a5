using LiveIm.Core.Bus;
using LiveIm.Core.Errors;

namespace LiveIm.RoomService.Publishing;

/// <summary>
/// Publishes each room event exactly once, on <c>liveim.room.&lt;roomId&gt;</c>. Every gateway with members of the
/// room receives it once and fans it out locally: the room service never expands a room into users.
/// </summary>
public sealed class RoomEventPublisher
{
    private readonly IMessageBus _bus;

    public RoomEventPublisher(IMessageBus bus)
    {
        _bus = bus;
    }

    /// <summary>Publishes the event's wire JSON. Throws <c>unavailable</c> when the bus is down.</summary>
    public async ValueTask PublishAsync(string roomId, byte[] eventJson, CancellationToken cancellationToken)
    {
        try
        {
            await _bus.PublishAsync(Subjects.Room(roomId), eventJson, cancellationToken);
        }
        catch (BusUnavailableException ex)
        {
            throw new RoomException(ErrorCodes.Unavailable, "the event bus is unavailable: " + ex.Message);
        }
    }
}
