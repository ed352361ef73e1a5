using System.Diagnostics;
using LiveIm.Core.Errors;
using LiveIm.Hosting.Health;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Registry;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// Takes the gateway out of service without dropping its viewers (docs/operations.md, "Graceful drain"), on SIGTERM
/// (<see cref="DrainOnShutdown"/>) or <c>POST /admin/drain</c>:
/// <list type="number">
/// <item>marks itself draining: <c>/readyz</c> answers 503 <c>draining</c>, the door refuses new connections
/// (<see cref="DrainDoorMiddleware"/>), and a load report saying so goes out at once, so assignment stops sending
/// clients here;</item>
/// <item>sends every connected client a <c>reconnect</c> event whose delays are spread uniformly over
/// <see cref="DrainOptions.SpreadSeconds"/> (shuffled, one client per slot of spread / N, at a random point of its slot:
/// any one-second window holds at most N / spread + 1 reconnects, so the gateways taking them in see no stampede);</item>
/// <item>waits for the clients to leave;</item>
/// <item>closes whatever is still open at <see cref="DrainOptions.DeadlineSeconds"/> with a coded close message that
/// allows reconnecting.</item>
/// </list>
/// A client that reconnects elsewhere and joins with its lastSeq gets every gift it missed (the resume protocol).
/// The first call starts the drain; later calls return the same task. There is no way back: a drained gateway is
/// stopped and replaced.
/// </summary>
public sealed partial class GatewayDrain : IReadinessContributor
{
    private readonly RoomRegistry _registry;
    private readonly IHubContext<RoomHub> _hub;
    private readonly LoadReporter _reporter;
    private readonly DrainOptions _options;
    private readonly FanoutOptions _fanout;
    private readonly DrainMetrics _metrics;
    private readonly ILogger<GatewayDrain> _logger;
    private readonly object _gate = new();
    private Task? _run;
    private volatile bool _draining;

    public GatewayDrain(
        RoomRegistry registry, IHubContext<RoomHub> hub, LoadReporter reporter, DrainOptions options, FanoutOptions fanout,
        DrainMetrics metrics, ILogger<GatewayDrain> logger)
    {
        _registry = registry;
        _hub = hub;
        _reporter = reporter;
        _options = options;
        _fanout = fanout;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>True from the moment a drain starts.</summary>
    public bool IsDraining => _draining;

    /// <inheritdoc />
    public string? NotReadyReason() => _draining ? "draining" : null;

    /// <summary>Starts the drain (once); the task completes when the last connection is gone or was closed.</summary>
    /// <param name="trigger">What started it, for the log (<c>shutdown</c>, <c>admin</c>).</param>
    public Task DrainAsync(string trigger)
    {
        lock (_gate)
        {
            if (_run is null)
            {
                // Before anything else: from here on the door refuses and /readyz says draining.
                _draining = true;
                _reporter.Draining = true;
                _metrics.Draining();
                _run = Task.Run(() => RunAsync(trigger));
            }

            return _run;
        }
    }

    private async Task RunAsync(string trigger)
    {
        var clock = Stopwatch.StartNew();
        await _reporter.ReportNowAsync();

        var members = _registry.Members.ToArray();
        Random.Shared.Shuffle(members);
        LogStarted(trigger, members.Length, _options.SpreadSeconds, _options.DeadlineSeconds);

        // Client i of n reconnects at (i + u) × spread / n, u uniform in [0, 1): a uniform spread without clumps.
        var spreadMs = _options.SpreadSeconds * 1000;
        for (var i = 0; i < members.Length; i++)
        {
            var delayMs = (long)((i + Random.Shared.NextDouble()) * spreadMs / members.Length);
            _ = SendReconnectAsync(members[i].ConnectionId, delayMs);
        }

        var deadline = TimeSpan.FromSeconds(_options.DeadlineSeconds);
        while (_registry.ConnectionCount > 0 && clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        var left = _registry.Members.ToArray();
        if (left.Length > 0)
        {
            LogClosingLeft(left.Length);
            _metrics.Closed(left.Length);
            var message = $"{ErrorCodes.Unavailable}: the gateway is draining and its deadline passed; connect to another gateway and resume with lastSeq";
            foreach (var member in left)
            {
                _ = member.CloseAsync(message, allowReconnect: true);
            }

            var closing = Stopwatch.StartNew();
            while (_registry.ConnectionCount > 0 && closing.ElapsedMilliseconds < _fanout.CloseGraceMs + 1000)
            {
                await Task.Delay(50);
            }
        }

        LogDone(clock.Elapsed.TotalSeconds, _registry.ConnectionCount);
    }

    private async Task SendReconnectAsync(string connectionId, long delayMs)
    {
        try
        {
            await _hub.Clients.Client(connectionId).SendAsync(ReconnectNotice.Method, new ReconnectNotice(ReconnectNotice.Draining, delayMs));
            _metrics.ReconnectSent();
        }
#pragma warning disable CA1031 // A connection that vanished meanwhile needs no notice; nothing may escape a fire-and-forget task.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Draining ({Trigger}): {Connections} connections get reconnect over {Spread} s, the rest is closed at {Deadline} s")]
    private partial void LogStarted(string trigger, int connections, double spread, double deadline);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Drain deadline: closing {Connections} connections still open")]
    private partial void LogClosingLeft(int connections);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Drained in {Seconds:0.0} s ({Connections} connections left)")]
    private partial void LogDone(double seconds, int connections);
}
