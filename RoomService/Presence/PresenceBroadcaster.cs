using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Hosting.Presence;
using LiveIm.Core.Stores;
using LiveIm.RoomService.Metrics;
using LiveIm.RoomService.Publishing;

namespace LiveIm.RoomService.Presence;

/// <summary>
/// Owns the rooms' online counts (docs/operations.md, "Presence", says why here and not in the gateways): every
/// <c>Presence:IntervalSeconds</c> one RoomService instance (whoever takes the lease for the pass) reads each live
/// room's reports with the shared presence script and publishes an <c>online</c> event (system lane, no seq, id 0)
/// on the room's subject when the total changed since the last broadcast. Every gateway of the room receives the
/// same event once, so every viewer sees the same number. The change check is atomic in Redis, so a pass run twice
/// (lease lost to a slow timer, two instances) still broadcasts a change once.
/// </summary>
public sealed partial class PresenceBroadcaster : BackgroundService
{
    private readonly IPresenceStore _presence;
    private readonly PresenceOptions _options;
    private readonly RoomEventPublisher _publisher;
    private readonly RoomServiceMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<PresenceBroadcaster> _logger;
    private readonly string _instanceId = Guid.NewGuid().ToString("N");

    public PresenceBroadcaster(
        IPresenceStore presence, PresenceOptions options, RoomEventPublisher publisher, RoomServiceMetrics metrics, TimeProvider time,
        ILogger<PresenceBroadcaster> logger)
    {
        _presence = presence;
        _options = options;
        _publisher = publisher;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (StoreUnavailableException ex)
            {
                LogPassFailed(ex.Message); // the next pass tries again
            }
        }
    }

    /// <summary>One pass: when this instance holds the lease, broadcasts every live room's changed total.</summary>
    public async Task PassAsync(CancellationToken ct)
    {
        // The lease lapses a little before the next pass is due (90 % of an interval), so the instance whose timer
        // fires first takes the next one; no instance needs to know the others.
        if (!await _presence.TryLeadAsync(_instanceId, _options.Interval * 0.9, ct))
        {
            return;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var rooms = await _presence.LiveRoomsAsync(now, ct);

        // One script call per room, all in one pipeline flush.
        var checks = await Task.WhenAll(rooms.Select(room => _presence.CheckBroadcastAsync(room, now, _options.Ttl, ct)));
        var broadcasts = 0;
        for (var i = 0; i < rooms.Count; i++)
        {
            if (!checks[i].Changed)
            {
                continue;
            }

            var json = RoomEventJson.Serialize(new RoomEvent
            {
                RoomId = rooms[i], Lane = Lane.System, Type = RoomEventTypes.Online, Online = checks[i].Online, ServerTs = now,
            });
            try
            {
                await _publisher.PublishAsync(rooms[i], json, ct);
                broadcasts++;
            }
            catch (RoomException ex)
            {
                // The bus is down: forget what was recorded as sent, so the next pass broadcasts the total again.
                LogBroadcastFailed(rooms[i], ex.Message);
                await _presence.ForgetBroadcastAsync(rooms[i], ct);
            }
        }

        _metrics.PresencePass(rooms.Count, broadcasts);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Presence pass failed: {Reason}")]
    private partial void LogPassFailed(string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Online count of room {RoomId} not broadcast: {Reason}")]
    private partial void LogBroadcastFailed(string roomId, string reason);
}
