using System.Diagnostics;
using LiveIm.Core.Gateways;
using LiveIm.Core.Stores;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LiveIm.RoomGateway.Registry;

/// <summary>
/// Publishes this gateway's load (<see cref="GatewayLoadReport"/>) to the gateway registry every <see cref="LoadReportOptions.IntervalMs"/>
/// with a time-to-live of <see cref="LoadReportOptions.TtlMs"/>: RoomService's assignment endpoint pulls these reports,
/// and a gateway that dies drops out by itself when its report expires. A drain reports at once
/// (<see cref="ReportNowAsync"/>) so that assignment stops sending clients here without waiting for the next beat.
/// </summary>
public sealed partial class LoadReporter : BackgroundService
{
    private readonly IGatewayRegistry _gateways;
    private readonly RoomRegistry _registry;
    private readonly FanoutMetrics _metrics;
    private readonly GatewayIdentity _gateway;
    private readonly LoadReportOptions _options;
    private readonly IServer _server;
    private readonly ILogger<LoadReporter> _logger;
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private TimeSpan _lastCpu = ProcessCpu();
    private long _lastDeliveries;
    private long _lastTicks = Stopwatch.GetTimestamp();
    private double _cpu;
    private double _deliveriesPerSecond;

    public LoadReporter(
        IGatewayRegistry gateways, RoomRegistry registry, FanoutMetrics metrics, GatewayIdentity gateway, LoadReportOptions options,
        IServer server, ILogger<LoadReporter> logger)
    {
        _gateways = gateways;
        _registry = registry;
        _metrics = metrics;
        _gateway = gateway;
        _options = options;
        _server = server;
        _logger = logger;
    }

    private volatile bool _draining;

    /// <summary>Set by the drain before it reports: every later report says <c>draining</c>.</summary>
    public bool Draining
    {
        get => _draining;
        set => _draining = value;
    }

    /// <summary>Writes a report now (also called by the drain). Failures are logged; the next beat tries again.</summary>
    public async Task ReportNowAsync(CancellationToken ct = default)
    {
        await _reporting.WaitAsync(ct);
        try
        {
            Sample();
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var report = new GatewayLoadReport(
                _gateway.Id, Url(), _registry.ConnectionCount, Math.Round(_cpu, 3), Math.Round(_deliveriesPerSecond, 1), Draining, _options.Weight, now);
            await _gateways.ReportAsync(report, TimeSpan.FromMilliseconds(_options.TtlMs), ct);
        }
        catch (StoreUnavailableException ex)
        {
            LogReportFailed(ex.Message);
        }
        finally
        {
            _reporting.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.IntervalMs));
        try
        {
            do
            {
                await ReportNowAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the report expires by itself.
        }
    }

    // CPU: process CPU time over wall time × cores (0..1: a 2-core machine fully used by this process is 1).
    private void Sample()
    {
        var ticks = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_lastTicks, ticks).TotalSeconds;
        if (elapsed < 0.05)
        {
            return; // a drain's immediate report right after a beat: keep the last figures
        }

        var cpu = ProcessCpu();
        var deliveries = _metrics.TotalDeliveries;
        _cpu = Math.Clamp((cpu - _lastCpu).TotalSeconds / (elapsed * Environment.ProcessorCount), 0, 1);
        _deliveriesPerSecond = (deliveries - _lastDeliveries) / elapsed;
        _lastCpu = cpu;
        _lastDeliveries = deliveries;
        _lastTicks = ticks;
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    // Gateway:PublicUrl, else the first address Kestrel listens on, with a wildcard host (0.0.0.0, [::], +, *)
    // replaced by the machine's name: right for a flat network, wrong behind NAT or a proxy (set the setting there).
    // A derived URL is not cached: the first report may run before Kestrel has bound (and a port 0 has become real).
    private string Url()
    {
        if (_options.PublicUrl is { } configured)
        {
            return configured.ToString().TrimEnd('/');
        }

        var address = _server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        var uri = new UriBuilder(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = Environment.MachineName;
        }

        return uri.Uri.ToString().TrimEnd('/');
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Load report failed: {Reason}")]
    private partial void LogReportFailed(string reason);
}
