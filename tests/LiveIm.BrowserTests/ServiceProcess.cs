using System.Globalization;
using LiveIm.Testing;

namespace LiveIm.BrowserTests;

/// <summary>
/// RoomService or a RoomGateway in a process of its own (<c>dotnet X.dll</c> from the test's output folder), configured
/// by environment variables as deployed: a gateway the tests SIGTERM (drain) or SIGKILL (crash) is a real process.
/// </summary>
public sealed class ServiceProcess : ServerProcess
{
    private readonly string _assembly;
    private readonly Dictionary<string, string> _environment;

    /// <param name="assembly">The service's main assembly (<c>typeof(GatewaySetup).Assembly.Location</c>).</param>
    /// <param name="settings">Configuration as environment variables (<c>Section__Key</c>).</param>
    public ServiceProcess(string assembly, IReadOnlyDictionary<string, string> settings)
        : base(FreePort.Next())
    {
        _assembly = assembly;
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "IntegrationTest",
            ["Urls"] = Url.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            _environment[key] = value; // the caller's settings win (a Development RoomService for dev tokens, say)
        }
    }

    /// <summary><c>http://127.0.0.1:port</c>, without a trailing slash.</summary>
    public string Url => $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    protected override string FileName => "dotnet";

    protected override IEnumerable<string> Arguments => [_assembly];

    protected override IReadOnlyDictionary<string, string> Environment => _environment;

    /// <summary>Sends SIGTERM (what an orchestrator does to scale in): a gateway drains, then exits.</summary>
    public async Task TerminateAsync()
    {
        var pid = ProcessId ?? throw new InvalidOperationException("the process is not running");
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits until the process has exited by itself (after a drain).</summary>
    public Task WaitForExitAsync(TimeSpan timeout) =>
        Eventually.TrueAsync(() => !IsRunning, timeout, $"{_assembly} on port {Port} exits");
}
