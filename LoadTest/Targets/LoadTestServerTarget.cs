using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Servers;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Targets;

/// <summary>The baseline (stock SignalR hub) or the ceiling (raw WebSockets): this executable started again as a server.</summary>
internal sealed class LoadTestServerTarget : BenchTarget
{
    private ChildProcess? _server;

    public LoadTestServerTarget(TargetKind kind)
        : base(FreePort.Next())
    {
        Kind = kind;
    }

    public override TargetKind Kind { get; }

    public override string Description => Kind == TargetKind.SignalR
        ? "stock ASP.NET Core SignalR hub: Groups + Clients.Group(room).SendAsync per message (baseline)"
        : "raw Kestrel WebSockets: one pre-built frame per message, per-socket queues (ceiling)";

    public override IReadOnlyList<TargetProcess> Processes =>
        _server is null ? [] : [new TargetProcess(Kind == TargetKind.SignalR ? "signalr-server" : "raw-server", _server.Pid)];

    public override async Task StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        var command = Kind == TargetKind.SignalR ? ServerCommand.SignalR : ServerCommand.Raw;
        var dll = RepoLayout.LoadTestDll;
        progress($"  starting {command} on port {Port}");
        _server = ChildProcess.StartDotnet(command, dll, [command, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Benchmark",
                ["Logging__LogLevel__Default"] = "Warning",
            });
        await _server.WaitHealthyAsync(BaseUrl, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    public override void EnsureRunning()
    {
        if (_server is { HasExited: true })
        {
            throw new InvalidOperationException($"{_server.Name} exited during the run:\n{_server.Tail()}");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
