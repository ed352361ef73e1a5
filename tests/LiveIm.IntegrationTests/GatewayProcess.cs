using System.Globalization;
using LiveIm.RoomGateway;
using LiveIm.Testing;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A RoomGateway in a process of its own (<c>dotnet RoomGateway.dll</c> from the test's output folder), configured by
/// environment variables as deployed, so a test can attack it and read its memory without the test's own clients in
/// the same process.
/// </summary>
public sealed class GatewayProcess : ServerProcess
{
    private readonly Dictionary<string, string> _environment;

    /// <param name="settings">Configuration as environment variables (<c>Section__Key</c>).</param>
    public GatewayProcess(IReadOnlyDictionary<string, string> settings)
        : base(FreePort.Next())
    {
        _environment = new Dictionary<string, string>(settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "IntegrationTest",
            ["Urls"] = Url.ToString().TrimEnd('/'),
            ["Logging__LogLevel__Default"] = "Warning",
        };

        // Outside Development a gateway refuses to start without a real admin token (POST /admin/drain).
        _environment.TryAdd("Admin__Token", LiveImCluster.AdminToken);
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    protected override string FileName => "dotnet";

    protected override string LogName => $"gateway-process-{Port}";

    protected override IEnumerable<string> Arguments => [typeof(GatewaySetup).Assembly.Location];

    protected override IReadOnlyDictionary<string, string> Environment => _environment;

    /// <summary>Starts the process and waits until its <c>/readyz</c> answers (its NATS and Redis connections are up).</summary>
    public async Task StartReadyAsync()
    {
        await StartAsync(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await http.GetAsync("/readyz")).IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "the gateway process is ready");
    }

    /// <summary>Sends SIGTERM (what an orchestrator does to scale in): the gateway drains, then exits.</summary>
    public async Task TerminateAsync()
    {
        var pid = ProcessId ?? throw new InvalidOperationException("the gateway process is not running");
        using var kill = System.Diagnostics.Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>The names of the process's threads (<c>/proc/pid/task/*/comm</c>, as the kernel keeps them: 15 characters).</summary>
    public IReadOnlyList<string> ThreadNames()
    {
        var pid = ProcessId ?? throw new InvalidOperationException("the gateway process is not running");
        var names = new List<string>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                names.Add(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The thread ended between the listing and the read.
            }
        }

        return names;
    }

    /// <summary>The process's resident memory (VmRSS) in bytes.</summary>
    public long ResidentBytes()
    {
        var pid = ProcessId ?? throw new InvalidOperationException("the gateway process is not running");
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("no VmRSS in /proc/" + pid + "/status");
    }
}
