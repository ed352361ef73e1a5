using LiveIm.Core.Bus;
using LiveIm.Core.Errors;
using LiveIm.RoomService.Metrics;

namespace LiveIm.RoomService.Publishing;

/// <summary>
/// Publishes each room event exactly once, on <c>liveim.room.&lt;roomId&gt;</c>. Every gateway with members of the
/// room receives it once and fans it out locally: the room service never expands a room into users.
/// </summary>
public sealed class RoomEventPublisher
{
    private readonly IMessageBus _bus;
    private readonly RoomServiceMetrics _metrics;

    public RoomEventPublisher(IMessageBus bus, RoomServiceMetrics metrics)
    {
        _bus = bus;
        _metrics = metrics;
    }

    /// <summary>Publishes the event's wire JSON. Throws <c>unavailable</c> when the bus is down.</summary>
    public async ValueTask PublishAsync(string roomId, byte[] eventJson, CancellationToken cancellationToken)
    {
        try
        {
            await _bus.PublishAsync(Subjects.Room(roomId), eventJson, cancellationToken);

            // The lane is read back from the event (a few hundred ns, once per event, not per recipient) so callers
            // keep their signature.
            _metrics.Published(eventJson);
        }
        catch (BusUnavailableException ex)
        {
            throw new RoomException(ErrorCodes.Unavailable, "the event bus is unavailable: " + ex.Message);
        }
    }
}
