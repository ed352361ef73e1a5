using LiveIm.LoadTest.Spike;
using Xunit;

namespace LiveIm.LoadTest.Tests;

/// <summary>
/// One LiveIm (2 gateways, RoomService, NATS, Redis) for the spike smokes that only load it (go-live, gift-burst,
/// many-rooms): they run against it as against an already running LiveIm, which also exercises that path. Dev tokens
/// are on, as in ./run.sh.
/// </summary>
public sealed class SpikeSmokeFixture : IAsyncLifetime
{
    private StartedSystem? _system;

    internal StartedSystem System => _system ?? throw new InvalidOperationException("not started");

    /// <summary>The options that point a spike run at this system.</summary>
    public string[] Target =>
    [
        "--roomservice", System.RoomService.ToString(),
        "--gateways", string.Join(',', System.Gateways),
        "--nats-monitor", System.NatsMonitors[0].ToString(),
    ];

    public async Task InitializeAsync()
    {
        var options = SpikeOptions.Parse(["--scenario", "go-live", "--start", "2", "--roomservice-setting", "DevTokens:Enabled=true", "--chat-budget", "5"]);
        _system = new StartedSystem(options);
        await _system.StartAsync(_ => { }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_system is not null)
        {
            await _system.DisposeAsync();
        }
    }
}
