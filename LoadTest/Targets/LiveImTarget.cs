using System.Globalization;
using System.Security.Cryptography;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Targets;

/// <summary>
/// The real system: nats-server and redis-server (LiveIm.Testing, free ports), then RoomService and ONE RoomGateway
/// as <c>dotnet &lt;dll&gt;</c> child processes configured through environment variables, with a signing key and
/// admin token made up for this run. The DLLs come from this checkout's build, or from another checkout's
/// (<c>LoadTest service --system-root</c>), so one harness measures two versions of the system.
/// </summary>
internal sealed class LiveImTarget : BenchTarget
{
    private const string AlphaNumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string GatewayEnvPrefix = "LOADTEST_GATEWAY_";

    private readonly FanoutOptions _options;
    private readonly string? _systemRoot;
    private readonly string _signingKey = RandomNumberGenerator.GetString(AlphaNumeric, 48);
    private readonly string _adminToken = RandomNumberGenerator.GetString(AlphaNumeric, 32);
    private readonly string _serviceToken = RandomNumberGenerator.GetString(AlphaNumeric, 32);
    private readonly NatsServer _nats = new();
    private readonly RedisServer _redis = new();
    private readonly LiveImTokens _tokens;
    private ChildProcess? _roomService;
    private ChildProcess? _gateway;
    private int? _natsPid;
    private int? _redisPid;

    public LiveImTarget(FanoutOptions options, string? systemRoot = null, TargetKind kind = TargetKind.LiveIm)
        : base(FreePort.Next())
    {
        Kind = kind;
        _options = options;
        _systemRoot = systemRoot;
        _tokens = new LiveImTokens(new AuthSettings { SigningKey = _signingKey });
    }

    public override TargetKind Kind { get; }

    public override bool ReceiversUseMessagePack => Kind == TargetKind.LiveImMessagePack;

    public override string Description =>
        "LiveIm: RoomGateway (measured) + RoomService + nats-server + redis-server" +
        (ReceiversUseMessagePack ? ", receivers on the MessagePack hub protocol" : string.Empty) +
        (_options.TickMs is { } tick ? $", Fanout:TickMs={tick}" : string.Empty);

    public override IReadOnlyList<TargetProcess> Processes
    {
        get
        {
            var list = new List<TargetProcess>();
            if (_gateway is not null)
            {
                list.Add(new TargetProcess("gateway", _gateway.Pid));
            }

            if (_roomService is not null)
            {
                list.Add(new TargetProcess("roomservice", _roomService.Pid));
            }

            if (_natsPid is { } nats)
            {
                list.Add(new TargetProcess("nats-server", nats));
            }

            if (_redisPid is { } redis)
            {
                list.Add(new TargetProcess("redis-server", redis));
            }

            return list;
        }
    }

    public override async Task StartAsync(Action<string> progress, CancellationToken cancellationToken)
    {
        // Fail before starting anything when a DLL is missing.
        var roomServiceDll = RepoLayout.ProjectDll("RoomService", _systemRoot);
        var gatewayDll = RepoLayout.ProjectDll("RoomGateway", _systemRoot);

        progress("  starting nats-server and redis-server");
        await _nats.StartAsync().ConfigureAwait(false);
        await _redis.StartAsync().ConfigureAwait(false);
        _natsPid = ProcessStats.FindChild("nats-server", _nats.Port);
        _redisPid = ProcessStats.FindChild("redis-server", _redis.Port);

        var roomServicePort = FreePort.Next();
        var shared = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Benchmark",
            ["Auth__SigningKey"] = _signingKey,
            ["Admin__Token"] = _adminToken,
            ["Service__Token"] = _serviceToken, // builds before the stream clock ignore it
            ["Nats__Url"] = _nats.Url,
            ["Redis__EndPoint"] = _redis.EndPoint,
            ["Logging__LogLevel__Default"] = "Warning",
        };

        var roomServiceEnv = new Dictionary<string, string>(shared)
        {
            // Every chat line is delivered: a room chat budget would sample lines away and the delivery check
            // (≥ 95 % of chat lines) would measure the budget, not the fan-out. Unknown to builds without the budget.
            ["Chat__BudgetPerSecond"] = "0",
            // Likewise the shared rates: a handful of publishers send hundreds of lines or gifts a second, far above
            // what one person may (per-user and room limits, RoomService/Limits). Unknown to builds without them.
            ["Limits__UserChatPerSecond"] = "0",
            ["Limits__UserGiftPerSecond"] = "0",
            ["Limits__RoomGiftsPerSecond"] = "0",
        };
        SetUrls(roomServiceEnv, roomServicePort);
        progress($"  starting RoomService on port {roomServicePort}");
        _roomService = ChildProcess.StartDotnet("roomservice", roomServiceDll, [], roomServiceEnv);

        var gatewayEnv = new Dictionary<string, string>(shared)
        {
            ["Gateway__Id"] = "bench-gw",

            // The bench measures fan-out, not admission, so the gateway's own limits are opened up (as the room chat
            // budget is above): one host plays every client (per-IP cap), receivers join in one storm (join
            // admission), a few publishers send the whole room's traffic (per-connection rates) with up to 127 calls
            // in flight each (Publisher.MaxInFlight; one more than the gateway allows in progress would be refused
            // rather than queued). 127, not more: SignalR gives every signed-in connection a semaphore of
            // MaxPendingInvocations + 1 slots (a channel holding one item per slot, its buffer the next power of two:
            // 0.5 KB at 127); the anonymous receivers have their own Limits:AnonymousMaxPendingInvocations (2), so
            // this setting no longer costs them (builds before it gave them the 0.5 KB too). Unknown to builds without the limits.
            ["Limits__MaxConnections"] = "1000000",
            ["Limits__MaxConnectionsPerIp"] = "1000000",
            ["Limits__JoinsPerSecond"] = "1000000",
            ["Limits__JoinsBurst"] = "1000000",
            ["Limits__JoinPerSecond"] = "1000000",
            ["Limits__JoinBurst"] = "1000000",
            ["Limits__ChatPerSecond"] = "1000000",
            ["Limits__ChatBurst"] = "1000000",
            ["Limits__GiftPerSecond"] = "1000000",
            ["Limits__GiftBurst"] = "1000000",
            ["Limits__LikePerSecond"] = "1000000",
            ["Limits__LikeBurst"] = "1000000",
            ["Limits__MaxPendingInvocations"] = "127",
        };
        if (_options.TickMs is { } tick)
        {
            // A fixed tick: the shortest and the longest the same (otherwise the gateway sizes it by room size).
            gatewayEnv["Fanout__TickMs"] = tick.ToString(CultureInfo.InvariantCulture);
            gatewayEnv["Fanout__MaxTickMs"] = tick.ToString(CultureInfo.InvariantCulture);
        }

        // LOADTEST_GATEWAY_X=v in LoadTest's environment sets X=v for the gateway alone (e.g. a GC setting to measure:
        // LOADTEST_GATEWAY_DOTNET_GCConserveMemory=5), leaving the load clients and the other targets as they are.
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Key is string key && key.StartsWith(GatewayEnvPrefix, StringComparison.Ordinal) && key.Length > GatewayEnvPrefix.Length)
            {
                gatewayEnv[key[GatewayEnvPrefix.Length..]] = variable.Value as string ?? "";
            }
        }

        SetUrls(gatewayEnv, Port);
        progress($"  starting RoomGateway on port {Port}");
        _gateway = ChildProcess.StartDotnet("gateway", gatewayDll, [], gatewayEnv);

        await _roomService.WaitHealthyAsync(new Uri($"http://127.0.0.1:{roomServicePort}/"), TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        await _gateway.WaitHealthyAsync(BaseUrl, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Publisher 0 is the room's streamer; the others are signed-in viewers.</summary>
    public override string? PublisherToken(int index, string roomId) => index == 0
        ? _tokens.Issue("bench-streamer", "Bench Streamer", Roles.Streamer, roomId, TimeSpan.FromHours(12))
        : _tokens.Issue($"bench-pub-{index}", $"Bench Publisher {index}", Roles.Viewer, null, TimeSpan.FromHours(12));

    /// <summary>
    /// Scrapes <c>GET /metrics</c> on the gateway (with the run's admin token as a bearer token, in case the endpoint
    /// is protected); null when it has no such endpoint (yet).
    /// </summary>
    public override async Task<DropCounters?> ReadDropsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUrl, "/metrics"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _adminToken);
            using var response = await http.SendAsync(request).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            return text.Contains("liveim_gateway_", StringComparison.Ordinal) ? DropCounters.Parse(text) : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public override void EnsureRunning()
    {
        foreach (var child in new[] { _gateway, _roomService })
        {
            if (child is { HasExited: true })
            {
                throw new InvalidOperationException($"{child.Name} exited during the run:\n{child.Tail()}");
            }
        }

        if (!_nats.IsRunning || !_redis.IsRunning)
        {
            throw new InvalidOperationException($"{(_nats.IsRunning ? "redis-server" : "nats-server")} exited during the run.");
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync().ConfigureAwait(false);
        }

        if (_roomService is not null)
        {
            await _roomService.DisposeAsync().ConfigureAwait(false);
        }

        await _nats.DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Makes a started service listen on loopback at <paramref name="port"/>. Both forms: an unprefixed Urls variable
    /// inherited from the shell would outrank ASPNETCORE_URLS (host-prefixed variables are read first), and the
    /// service must listen where the runner says. Used by every LoadTest command that starts LiveIm's services.
    /// </summary>
    internal static void SetUrls(Dictionary<string, string> environment, int port)
    {
        var url = $"http://127.0.0.1:{port}";
        environment["ASPNETCORE_URLS"] = url;
        environment["Urls"] = url;
    }
}
