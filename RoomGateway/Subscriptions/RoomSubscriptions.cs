using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Hosting.Metrics;
using LiveIm.RoomGateway.Backend;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;

namespace LiveIm.RoomGateway.Subscriptions;

/// <summary>
/// Where room events are received: one bus subscription to <c>liveim.room.&lt;roomId&gt;</c> per room with local
/// members (subscribe by interest, so a gateway without members of a room receives none of its traffic). After a
/// bus outage, each room reads back the reliable events it missed (push, with pull to repair).
/// </summary>
public sealed partial class RoomSubscriptions : IDisposable
{
    private const int RepairPageSize = 500;

    private readonly IMessageBus _bus;
    private readonly RoomServiceClient _roomService;
    private readonly ILogger<RoomSubscriptions> _logger;
    private readonly BackendMetrics _backend;
    private readonly Func<IEnumerable<LocalRoom>> _rooms;

    public RoomSubscriptions(
        IMessageBus bus, RoomServiceClient roomService, ILogger<RoomSubscriptions> logger, RoomRegistry registry, BackendMetrics backend)
    {
        _backend = backend;
        _bus = bus;
        _roomService = roomService;
        _logger = logger;
        _rooms = () => registry.Rooms;
        _bus.ConnectionChanged += OnConnectionChanged;
    }

    /// <summary>
    /// Subscribes the room; when this returns, every event published afterwards reaches it. Throws <c>unavailable</c>
    /// at once while the bus is down (the join fails and the client retries).
    /// </summary>
    public async Task SubscribeAsync(LocalRoom room, CancellationToken ct)
    {
        room.GapRepair ??= r => _ = RepairGapAsync(r);
        IAsyncDisposable subscription;
        try
        {
            subscription = await _bus.SubscribeAsync(Subjects.Room(room.RoomId), queueGroup: null, message =>
            {
                // Receive keeps message.Data until the room's next tick flushes it: the bus hands each message an
                // array of its own (IMessageBus.SubscribeAsync).
                if (!room.Receive(message.Data))
                {
                    // Refused: a duplicate reliable seq (normal after a repair) or not a room event at all. Only the
                    // refused ones are read again, to count what is malformed (liveim_bus_refused_total).
                    if (!IsWellFormed(message.Data.Span))
                    {
                        _backend.Refused();
                    }

                    LogDropped(room.RoomId);
                }

                return ValueTask.CompletedTask;
            }, ct);
        }
        catch (BusUnavailableException ex)
        {
            throw new RoomException(ErrorCodes.Unavailable, "the event bus is unavailable: " + ex.Message);
        }

        room.Lifecycle.Subscribed(subscription);
        LogSubscribed(room.RoomId);
    }

    /// <summary>Ends the subscription a retired room handed back (its last local member left).</summary>
    public async Task UnsubscribeAsync(LocalRoom room, IAsyncDisposable? subscription)
    {
        if (subscription is not null)
        {
            await subscription.DisposeAsync();
            LogUnsubscribed(room.RoomId);
        }
    }

    /// <summary>Reads back and delivers the reliable events the room missed.</summary>
    public async Task RepairAsync(LocalRoom room, CancellationToken ct)
    {
        for (var page = 0; page < 20; page++)
        {
            if (room.RepairFrom() is not { } from)
            {
                return; // the room's first join has not been answered yet: nothing was missed
            }

            var reply = await _roomService.HistoryAsync(new HistoryRequest(room.RoomId, from, RepairPageSize), ct);
            var delivered = room.DeliverRepair(reply.Events.Select(TickEvent.FromHistory).ToList(), from);
            if (delivered > 0)
            {
                LogRepaired(room.RoomId, delivered, from);
            }

            if (reply.Events.Count < RepairPageSize)
            {
                return;
            }
        }
    }

    public void Dispose() => _bus.ConnectionChanged -= OnConnectionChanged;

    // What LocalRoom.Receive accepts as a room event: an envelope that reads, and a reliable one with a positive seq.
    private static bool IsWellFormed(ReadOnlySpan<byte> json) =>
        RoomEventJson.TryReadEnvelope(json, out var e) && (!e.IsReliable || e.Seq is > 0);

    // A reliable seq is missing while later ones wait (the bus delivered out of seq order, or lost one): read it
    // back. One read per room at a time; the room asks again while the gap lasts.
    private async Task RepairGapAsync(LocalRoom room)
    {
        if (!room.TryBeginRepair())
        {
            return;
        }

        try
        {
            await RepairLoggedAsync(room);
        }
        finally
        {
            room.EndRepair();
        }
    }

    // A repair that fails (RoomService unreachable) is logged; the next gap timer or reconnect tries again.
    private async Task RepairLoggedAsync(LocalRoom room)
    {
        try
        {
            await RepairAsync(room, CancellationToken.None);
        }
        catch (RoomException ex)
        {
            LogRepairFailed(room.RoomId, ex.Message);
        }
    }

    private void OnConnectionChanged(object? sender, bool connected)
    {
        if (!connected)
        {
            return;
        }

        foreach (var room in _rooms())
        {
            _ = Task.Run(() => RepairLoggedAsync(room));
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Subscribed to room {RoomId}")]
    private partial void LogSubscribed(string roomId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Unsubscribed from room {RoomId}")]
    private partial void LogUnsubscribed(string roomId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Dropped an event of room {RoomId} (duplicate seq or unreadable)")]
    private partial void LogDropped(string roomId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Repaired room {RoomId}: {Count} reliable events after seq {From} read back from history")]
    private partial void LogRepaired(string roomId, int count, long from);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Repair of room {RoomId} failed: {Reason}")]
    private partial void LogRepairFailed(string roomId, string reason);
}
