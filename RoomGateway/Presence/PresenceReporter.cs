using LiveIm.Hosting.Presence;
using LiveIm.Core.Stores;
using LiveIm.RoomGateway.Rooms;

namespace LiveIm.RoomGateway.Presence;

/// <summary>
/// Reports this gateway's local member count per room to Redis every <c>Presence:IntervalSeconds</c> (default 2 s),
/// counting for 5 intervals: a gateway that dies stops counting by itself, without any clean-up job. The cost is one
/// script call per room per interval per gateway plus one <c>ZADD</c> of its rooms, whatever the number of viewers.
/// Between reports it writes the rooms whose count changed (<see cref="PresenceWrites"/>: at most one write per room
/// per 250 ms, and most joins record their room's count in their own join request instead), so a join on another
/// gateway finds this one's members at once. The room's total is not decided here: RoomService reads the reports and
/// broadcasts one <c>online</c> event per change to every gateway of the room (docs/operations.md, "Presence"), so
/// every viewer sees the same number.
/// </summary>
public sealed partial class PresenceReporter : BackgroundService
{
    private readonly IPresenceStore _presence;
    private readonly PresenceOptions _options;
    private readonly RoomRegistry _registry;
    private readonly GatewayIdentity _gateway;
    private readonly PresenceWrites _writes;
    private readonly ILogger<PresenceReporter> _logger;
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    public PresenceReporter(
        IPresenceStore presence, PresenceOptions options, RoomRegistry registry, GatewayIdentity gateway, PresenceWrites writes,
        ILogger<PresenceReporter> logger)
    {
        _presence = presence;
        _options = options;
        _registry = registry;
        _gateway = gateway;
        _writes = writes;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One loop does both the periodic report and the changed rooms' writes, so the two never race over _reported.
        var interval = (long)_options.Interval.TotalMilliseconds;
        var nextReport = Environment.TickCount64 + interval;
        var wait = interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _writes.WaitAsync(TimeSpan.FromMilliseconds(wait), stoppingToken);
            var nextDue = (long)Timeout.Infinite;
            try
            {
                if (Environment.TickCount64 >= nextReport)
                {
                    nextReport = Math.Max(nextReport + interval, Environment.TickCount64 + (interval / 2));
                    await ReportOnceAsync(stoppingToken);
                }

                nextDue = await WriteChangedAsync(stoppingToken);
            }
            catch (StoreUnavailableException ex)
            {
                // The reports count for 5 intervals: the next one that gets through repairs it (a changed room's
                // write that failed is not retried before then, so an outage costs one warning per interval).
                LogReportFailed(ex.Message);
            }

            var untilReport = Math.Max(0, nextReport - Environment.TickCount64);
            wait = nextDue == Timeout.Infinite ? untilReport : Math.Min(untilReport, nextDue);
        }
    }

    /// <summary>Writes the current counts, and zero for rooms that emptied since the last report.</summary>
    public async Task ReportOnceAsync(CancellationToken ct)
    {
        _writes.ForgetOld();
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

    /// <summary>
    /// Writes the counts of the changed rooms that are due (<see cref="PresenceWrites.TakeDue"/>), as the periodic
    /// report would, in one pipeline flush; returns how long until the next changed room is due.
    /// </summary>
    public async Task<long> WriteChangedAsync(CancellationToken ct)
    {
        var due = _writes.TakeDue(out var nextDue);
        if (due.Count == 0)
        {
            return nextDue;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var counts = due.Select(roomId => (RoomId: roomId, Count: _registry.TryGetRoom(roomId, out var room) ? room.Count : 0)).ToList();
        var live = counts.Where(c => c.Count > 0).Select(c => c.RoomId).ToList();
        var calls = new List<Task>(counts.Count + 1) { _presence.MarkRoomsLiveAsync(live, now + (long)_options.Ttl.TotalMilliseconds, ct) };
        calls.AddRange(counts.Select(c => _presence.ReportAsync(c.RoomId, _gateway.Id, c.Count, now, _options.Ttl, ct)));
        await Task.WhenAll(calls);

        // A room written with members here is withdrawn by the next report if it empties and that write fails.
        _reported.UnionWith(live);
        return nextDue;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Presence report failed: {Reason}")]
    private partial void LogReportFailed(string reason);
}
