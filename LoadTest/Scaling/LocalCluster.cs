using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Targets;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// The real system on loopback with any number of gateways: nats-server and redis-server on free ports, one
/// RoomService and N RoomGateways as <c>dotnet &lt;dll&gt;</c> child processes configured only through environment
/// variables (as deployed), with a signing key and tokens made up for this run. Used by <c>LoadTest scale</c> and by
/// the deployment tests (Prometheus against a running system).
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private const string AlphaNumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly string _signingKey = RandomNumberGenerator.GetString(AlphaNumeric, 48);
    private readonly List<ChildProcess> _gateways = [];
    private readonly List<int> _gatewayPorts = [];
    private ChildProcess? _roomService;

    private LocalCluster()
    {
        Tokens = new LiveImTokens(new AuthSettings { SigningKey = _signingKey });
    }

    /// <summary>The run's admin token (gateways' <c>POST /admin/drain</c>, RoomService's admin endpoints).</summary>
    public string AdminToken { get; } = RandomNumberGenerator.GetString(AlphaNumeric, 32);

    /// <summary>Issues tokens signed with the run's key.</summary>
    public LiveImTokens Tokens { get; }

    /// <summary>The NATS server.</summary>
    public NatsServer Nats { get; } = new();

    /// <summary>The Redis server.</summary>
    public RedisServer Redis { get; } = new();

    /// <summary>RoomService's port on 127.0.0.1.</summary>
    public int RoomServicePort { get; } = FreePort.Next();

    /// <summary>RoomService's base URL.</summary>
    public Uri RoomServiceUrl => new($"http://127.0.0.1:{RoomServicePort.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>RoomService's process id.</summary>
    public int RoomServicePid => _roomService?.Pid ?? throw new InvalidOperationException("not started");

    /// <summary>The gateways' ports on 127.0.0.1, in start order.</summary>
    public IReadOnlyList<int> GatewayPorts => _gatewayPorts;

    /// <summary>The gateways' base URLs.</summary>
    public IReadOnlyList<Uri> GatewayUrls => _gatewayPorts.Select(p => new Uri($"http://127.0.0.1:{p.ToString(CultureInfo.InvariantCulture)}/")).ToList();

    /// <summary>The gateways' process ids.</summary>
    public IReadOnlyList<int> GatewayPids => _gateways.Select(g => g.Pid).ToList();

    /// <summary>The redis-server process id (for its CPU), when found.</summary>
    public int? RedisPid { get; private set; }

    /// <summary>
    /// Starts everything and waits until each service answers <c>/readyz</c> (its NATS and Redis connections up).
    /// <paramref name="openLimits"/> lifts the per-user, per-room and per-connection limits, for load runs where a
    /// few publishers send a whole room's traffic from one address.
    /// </summary>
    public static async Task<LocalCluster> StartAsync(int gateways, bool openLimits, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gateways, 1);
        var roomServiceDll = RepoLayout.ProjectDll("RoomService");
        var gatewayDll = RepoLayout.ProjectDll("RoomGateway");
        var cluster = new LocalCluster();
        try
        {
            await cluster.StartCoreAsync(gateways, openLimits, roomServiceDll, gatewayDll, progress, cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A token for a member of <paramref name="roomId"/> (streamer or viewer), valid for 12 h.</summary>
    public string Token(string userId, string role, string? roomId) =>
        Tokens.Issue(userId, userId, role, roomId, TimeSpan.FromHours(12));

    /// <summary>A streamer token for <paramref name="roomId"/>.</summary>
    public string StreamerToken(string roomId) => Token("streamer-" + roomId, Roles.Streamer, roomId);

    /// <summary>Throws with the output of a process that has exited.</summary>
    public void EnsureRunning()
    {
        foreach (var child in _gateways.Append(_roomService))
        {
            if (child is { HasExited: true })
            {
                throw new InvalidOperationException($"{child.Name} exited:\n{child.Tail()}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync().ConfigureAwait(false);
        }

        if (_roomService is not null)
        {
            await _roomService.DisposeAsync().ConfigureAwait(false);
        }

        await Nats.DisposeAsync().ConfigureAwait(false);
        await Redis.DisposeAsync().ConfigureAwait(false);
    }

    private async Task StartCoreAsync(
        int gateways, bool openLimits, string roomServiceDll, string gatewayDll, Action<string> progress, CancellationToken cancellationToken)
    {
        progress("  starting nats-server and redis-server");
        await Nats.StartAsync().ConfigureAwait(false);
        await Redis.StartAsync().ConfigureAwait(false);
        RedisPid = ProcessStats.FindChild("redis-server", Redis.Port);

        var shared = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth__SigningKey"] = _signingKey,
            ["Admin__Token"] = AdminToken,
            ["Nats__Url"] = Nats.Url,
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Logging__LogLevel__Default"] = "Warning",
        };

        var roomServiceEnv = new Dictionary<string, string>(shared)
        {
            ["Service__Token"] = RandomNumberGenerator.GetString(AlphaNumeric, 32),
        };
        if (openLimits)
        {
            // Every chat line delivered and no per-user rate: one publisher plays the whole room.
            roomServiceEnv["Chat__BudgetPerSecond"] = "0";
            roomServiceEnv["Limits__UserChatPerSecond"] = "0";
            roomServiceEnv["Limits__UserGiftPerSecond"] = "0";
            roomServiceEnv["Limits__RoomGiftsPerSecond"] = "0";
        }

        LiveImTarget.SetUrls(roomServiceEnv, RoomServicePort);
        progress($"  starting RoomService on port {RoomServicePort}");
        _roomService = ChildProcess.StartDotnet("roomservice", roomServiceDll, [], roomServiceEnv);

        for (var g = 0; g < gateways; g++)
        {
            var port = FreePort.Next();
            var env = new Dictionary<string, string>(shared)
            {
                ["Gateway__Id"] = "gw" + (g + 1).ToString(CultureInfo.InvariantCulture),
                ["Gateway__PublicUrl"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            };
            if (openLimits)
            {
                foreach (var limit in new[]
                         {
                             "MaxConnections", "MaxConnectionsPerIp", "JoinsPerSecond", "JoinsBurst", "JoinPerSecond", "JoinBurst", "ChatPerSecond",
                             "ChatBurst", "GiftPerSecond", "GiftBurst", "LikePerSecond", "LikeBurst",
                         })
                {
                    env["Limits__" + limit] = "1000000";
                }

                env["Limits__MaxPendingInvocations"] = "256";
            }

            LiveImTarget.SetUrls(env, port);
            _gatewayPorts.Add(port);
            _gateways.Add(ChildProcess.StartDotnet("gateway" + (g + 1).ToString(CultureInfo.InvariantCulture), gatewayDll, [], env));
        }

        progress($"  started {gateways} gateway(s) on ports {string.Join(", ", _gatewayPorts)}");
        await WaitReadyAsync(_roomService, RoomServiceUrl, cancellationToken).ConfigureAwait(false);
        for (var g = 0; g < _gateways.Count; g++)
        {
            await WaitReadyAsync(_gateways[g], GatewayUrls[g], cancellationToken).ConfigureAwait(false);
        }
    }

    // /healthz answers before the backends are connected; /readyz once NATS and Redis are.
    private static async Task WaitReadyAsync(ChildProcess child, Uri baseUrl, CancellationToken cancellationToken)
    {
        await child.WaitHealthyAsync(baseUrl, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.GetTimestamp();
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
            catch (HttpRequestException)
            {
            }

            if (child.HasExited || Stopwatch.GetElapsedTime(started) > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{child.Name} did not become ready at {baseUrl}readyz:\n{child.Tail()}");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }
}
