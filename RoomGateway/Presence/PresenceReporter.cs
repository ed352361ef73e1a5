using LiveIm.Hosting.Presence;
using LiveIm.Core.Stores;
using LiveIm.RoomGateway.Rooms;

namespace LiveIm.RoomGateway.Presence;

/// <summary>
/// Reports this gateway's local member count per room to Redis every <c>Presence:IntervalSeconds</c> (default 2 s),
/// counting for 5 intervals: a gateway that dies stops counting by itself, without any clean-up job. The cost is one
/// script call per room per interval per gateway plus one <c>ZADD</c> of its rooms, whatever the number of viewers
/// (no per-join Redis write). The room's total is not decided here: RoomService reads the reports and broadcasts one
/// <c>online</c> event per change to every gateway of the room (docs/operations.md, "Presence"), so every viewer sees
/// the same number.
/// </summary>
public sealed partial class PresenceReporter : BackgroundService
{
    private readonly IPresenceStore _presence;
    private readonly PresenceOptions _options;
    private readonly RoomRegistry _registry;
    private readonly GatewayIdentity _gateway;
    private readonly ILogger<PresenceReporter> _logger;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public PresenceReporter(
        IPresenceStore presence, PresenceOptions options, RoomRegistry registry, GatewayIdentity gateway, ILogger<PresenceReporter> logger)
    {
        _presence = presence;
        _options = options;
        _registry = registry;
        _gateway = gateway;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ReportOnceAsync(stoppingToken);
            }
            catch (StoreUnavailableException ex)
            {
                LogReportFailed(ex.Message); // the reports count for 5 intervals: the next one that gets through repairs it
            }
        }
    }

    /// <summary>Writes the current counts, and zero for rooms that emptied since the last report.</summary>
    public async Task ReportOnceAsync(CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var current = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var room in _registry.Rooms)
        {
            current[room.RoomId] = room.Count;
        }

        foreach (var gone in _reported.Where(r => !current.ContainsKey(r)).ToList())
        {
            current[gone] = 0;
        }

        // All calls go out in one pipeline flush; the live rooms' ZADD with them.
        var live = current.Where(kv => kv.Value > 0).Select(kv => kv.Key).ToList();
        var calls = new List<Task>(current.Count + 1) { _presence.MarkRoomsLiveAsync(live, now + (long)_options.Ttl.TotalMilliseconds, ct) };
        calls.AddRange(current.Select(kv => _presence.ReportAsync(kv.Key, _gateway.Id, kv.Value, now, _options.Ttl, ct)));
        await Task.WhenAll(calls);

        _reported.Clear();
        _reported.UnionWith(live);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Presence report failed: {Reason}")]
    private partial void LogReportFailed(string reason);
}
