using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LiveIm.Hosting.Auth;
using LiveIm.LoadTest.Targets;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// LiveIm started by the runner on loopback, as <c>fanout</c> starts its target (LiveImTarget): nats-server (one node,
/// or three with routes) and redis-server from LiveIm.Testing on free ports, then RoomService and N RoomGateways as
/// <c>dotnet &lt;dll&gt;</c> child processes configured by environment, with a signing key and tokens made up for the run.
/// The product's limits stay at their defaults (the spike measures what they let through) unless a setting is given.
/// </summary>
internal sealed class StartedSystem : SpikeSystem
{
    private const string AlphaNumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly string _signingKey = RandomNumberGenerator.GetString(AlphaNumeric, 48);
    private readonly string _adminToken = RandomNumberGenerator.GetString(AlphaNumeric, 32);
    private readonly string _serviceToken = RandomNumberGenerator.GetString(AlphaNumeric, 32);
    private readonly List<NatsServer> _nats = [];
    private readonly RedisServer _redis = new();
    private readonly List<(ChildProcess Process, int Port)> _gateways = [];
    private readonly LiveImTokens _tokens;
    private readonly SpikeOptions _options;
    private readonly HashSet<int> _stopped = [];
    private readonly HashSet<int> _killed = [];
    private ChildProcess? _roomService;
    private int _roomServicePort;

    public StartedSystem(SpikeOptions options)
    {
        _options = options;
        _tokens = new LiveImTokens(new AuthSettings { SigningKey = _signingKey });
    }

    public override Uri RoomService => new($"http://127.0.0.1:{_roomServicePort}/");

    public override IReadOnlyList<Uri> Gateways => _gateways.Select(g => new Uri($"http://127.0.0.1:{g.Port}/")).ToArray();

    public override IReadOnlyList<Uri> NatsMonitors => _nats.Select(n => new Uri($"http://127.0.0.1:{n.MonitorPort}/")).ToArray();

    public override bool CanKill => true;

    /// <summary>The run's admin token (for <c>/metrics</c> and <c>/admin/drain</c>).</summary>
    public string AdminToken => _adminToken;

    public override string Description =>
        $"started by the runner: {_gateways.Count} RoomGateway(s), RoomService, nats-server x{_nats.Count}{(_nats.Count > 1 ? " (cluster with routes)" : string.Empty)}, redis-server";

    public override IReadOnlyList<TargetProcess> Processes
    {
        get
        {
            var list = new List<TargetProcess>();
            for (var i = 0; i < _gateways.Count; i++)
            {
                // A killed gateway's process object is disposed: ask nothing of it.
                if (!_killed.Contains(i) && !_gateways[i].Process.HasExited)
                {
                    list.Add(new TargetProcess($"gateway_{i + 1}", _gateways[i].Process.Pid));
                }
            }

            if (_roomService is { HasExited: false })
            {
                list.Add(new TargetProcess("roomservice", _roomService.Pid));
            }

            for (var i = 0; i < _nats.Count; i++)
            {
                if (_nats[i].ProcessId is { } pid)
                {
                    list.Add(new TargetProcess(_nats.Count == 1 ? "nats" : $"nats_{i + 1}", pid));
                }
            }

            if (_redis.ProcessId is { } redis)
            {
                list.Add(new TargetProcess("redis", redis));
            }

            return list;
        }
    }

    /// <summary>Starts everything and waits until every process is ready and RoomService hands out a gateway.</summary>
    public async Task StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        // Fail before starting anything when a DLL or a server binary is missing.
        var roomServiceDll = RepoLayout.ProjectDll("RoomService");
        var gatewayDll = RepoLayout.ProjectDll("RoomGateway");
        ServerBinary.Find("nats-server", "nats-server");
        ServerBinary.Find("redis-server", "redis-server");

        var nodes = _options.NatsNodes;
        var clusterPorts = Enumerable.Range(0, nodes).Select(_ => FreePort.Next()).ToArray();
        for (var i = 0; i < nodes; i++)
        {
            string[] cluster = nodes == 1 ? [] :
            [
                "--cluster_name", "liveim-spike", "--cluster", $"nats://127.0.0.1:{clusterPorts[i]}",
                "--routes", string.Join(',', clusterPorts.Where((_, j) => j != i).Select(p => $"nats://127.0.0.1:{p}")),
            ];
            _nats.Add(new NatsServer(null, null, cluster));
        }

        progress($"starting nats-server x{nodes}, redis-server");
        foreach (var node in _nats)
        {
            await node.StartAsync().ConfigureAwait(false);
        }

        await _redis.StartAsync().ConfigureAwait(false);
        if (nodes > 1)
        {
            await WaitForRoutesAsync(nodes - 1, cancellationToken).ConfigureAwait(false);
        }

        var shared = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Benchmark",
            ["Auth__SigningKey"] = _signingKey,
            ["Admin__Token"] = _adminToken,
            ["Service__Token"] = _serviceToken,
            ["Nats__Url"] = string.Join(',', _nats.Select(n => n.Url)),
            ["Redis__EndPoint"] = _redis.EndPoint,
            ["Logging__LogLevel__Default"] = "Warning",
        };

        _roomServicePort = FreePort.Next();
        var roomServiceEnv = new Dictionary<string, string>(shared)
        {
            ["Chat__BudgetPerSecond"] = _options.ChatBudget.ToString(CultureInfo.InvariantCulture),
        };
        Apply(roomServiceEnv, _options.RoomServiceSettings);
        if (roomServiceEnv.TryGetValue("DevTokens__Enabled", out var devTokens) && devTokens.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            roomServiceEnv["ASPNETCORE_ENVIRONMENT"] = "Development"; // dev tokens are served only in Development
        }

        LiveImTarget.SetUrls(roomServiceEnv, _roomServicePort);
        progress($"starting RoomService on port {_roomServicePort}");
        _roomService = ChildProcess.StartDotnet("roomservice", roomServiceDll, [], roomServiceEnv);

        for (var i = 0; i < _options.Start; i++)
        {
            var port = FreePort.Next();
            var env = new Dictionary<string, string>(shared)
            {
                ["Gateway__Id"] = $"spike-gw-{i + 1}",
                ["Gateway__PublicUrl"] = $"http://127.0.0.1:{port}",
                ["Drain__SpreadSeconds"] = _options.DrainSpread.TotalSeconds.ToString(CultureInfo.InvariantCulture),
                ["Drain__DeadlineSeconds"] = _options.DrainDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            };
            Apply(env, _options.GatewaySettings);
            LiveImTarget.SetUrls(env, port);
            progress($"starting RoomGateway {i + 1} on port {port}");
            _gateways.Add((ChildProcess.StartDotnet($"gateway_{i + 1}", gatewayDll, [], env), port));
        }

        await WaitReadyAsync(_roomService, RoomService, cancellationToken).ConfigureAwait(false);
        foreach (var (process, port) in _gateways)
        {
            await WaitReadyAsync(process, new Uri($"http://127.0.0.1:{port}/"), cancellationToken).ConfigureAwait(false);
        }

        await WaitForAssignmentAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task<string> TokenAsync(string userId, string role, string? room, CancellationToken cancellationToken) =>
        Task.FromResult(_tokens.Issue(userId, userId, role, room, TimeSpan.FromHours(12)));

    public override async Task KillGatewayAsync(int index)
    {
        _stopped.Add(index);
        _killed.Add(index);
        await _gateways[index].Process.DisposeAsync().ConfigureAwait(false);
    }

    public override async Task TerminateGatewayAsync(int index)
    {
        _stopped.Add(index);
        await SignalAsync(_gateways[index].Process.Pid, "TERM").ConfigureAwait(false);
    }

    public override async Task KillNatsNodeAsync(int index)
    {
        await _nats[index].StopAsync().ConfigureAwait(false);
    }

    /// <summary>The NATS node with the most client connections now (the one whose loss hurts most), by /varz.</summary>
    public async Task<int> BusiestNatsNodeAsync()
    {
        var best = (Index: 0, Connections: -1);
        for (var i = 0; i < _nats.Count; i++)
        {
            try
            {
                using var json = System.Text.Json.JsonDocument.Parse(await _nats[i].MonitorAsync("varz").ConfigureAwait(false));
                var connections = json.RootElement.GetProperty("connections").GetInt32();
                if (connections > best.Connections)
                {
                    best = (i, connections);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or KeyNotFoundException)
            {
                // A node that cannot answer is not the busiest.
            }
        }

        return best.Index;
    }

    public override void EnsureRunning()
    {
        if (_roomService is { HasExited: true })
        {
            throw new InvalidOperationException($"RoomService exited during the run:\n{_roomService.Tail()}");
        }

        for (var i = 0; i < _gateways.Count; i++)
        {
            if (!_stopped.Contains(i) && !_killed.Contains(i) && _gateways[i].Process.HasExited)
            {
                throw new InvalidOperationException($"gateway {i + 1} exited during the run:\n{_gateways[i].Process.Tail()}");
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var (process, _) in _gateways)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (_roomService is not null)
        {
            await _roomService.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var node in _nats)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        await _redis.DisposeAsync().ConfigureAwait(false);
    }

    // SIGTERM has no .NET API (Process.Kill is SIGKILL); kill(1) sends it.
    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("could not run kill(1)");
        await kill.WaitForExitAsync().ConfigureAwait(false);
    }

    private static void Apply(Dictionary<string, string> environment, IEnumerable<KeyValuePair<string, string>> settings)
    {
        foreach (var (key, value) in settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }

    private async Task WaitForRoutesAsync(int routes, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 15 * Stopwatch.Frequency;
        foreach (var node in _nats)
        {
            while (true)
            {
                var json = await node.MonitorAsync("routez").ConfigureAwait(false);
                using var doc = System.Text.Json.JsonDocument.Parse(json);
                if (doc.RootElement.GetProperty("num_routes").GetInt32() >= routes)
                {
                    break;
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"the NATS cluster did not form within 15 s:\n{node.Output}");
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // /healthz answers before the process has reached NATS and Redis; /readyz once it has.
    private static async Task WaitReadyAsync(ChildProcess process, Uri baseUrl, CancellationToken cancellationToken)
    {
        await process.WaitHealthyAsync(baseUrl, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(baseUrl, "/readyz"), cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not answering yet.
            }

            if (process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{process.Name} was not ready (GET {baseUrl}readyz) within 30 s:\n{process.Tail()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForAssignmentAsync(CancellationToken cancellationToken)
    {
        using var assign = new GatewayAssignment(RoomService);
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (true)
        {
            var (url, failure, _) = await assign.AssignAsync("spike-ready", cancellationToken).ConfigureAwait(false);
            if (url is not null)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"RoomService handed out no gateway within 30 s: {failure?.ErrorCode} {failure?.Message}");
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }
}
