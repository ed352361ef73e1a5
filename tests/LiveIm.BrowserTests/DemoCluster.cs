using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.RoomGateway;
using LiveIm.RoomService;
using LiveIm.Testing;
using Microsoft.Playwright;
using Xunit;

namespace LiveIm.BrowserTests;

/// <summary>
/// The whole system for a browser: real nats-server and redis-server, RoomService (serving the demo pages and dev
/// tokens) and two gateways, each a process of its own on free loopback ports, plus one headless Debian chromium driven
/// by Playwright with a fresh profile. Gateways report their load every 500 ms (TTL 1.5 s) and drain in 2 s (deadline
/// 6 s), presence every second, so that a test can stop one and watch a page move within seconds.
/// </summary>
public sealed class DemoCluster : IAsyncLifetime
{
    public const string SigningKey = "browser-test-signing-key-0123456789abcdef";
    public const string AdminToken = "browser-test-admin-token-0123456789abcdef";
    public const string ServiceToken = "browser-test-service-token-0123456789abcdef";

    /// <summary>The flags chromium runs with: headless, no sandbox (containers), and nothing that calls out to the internet.</summary>
    public static readonly string[] ChromiumFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly string _profile = Directory.CreateTempSubdirectory("liveim-chromium-").FullName;
    private IPlaywright? _playwright;

    public NatsServer Nats { get; } = new();

    public RedisServer Redis { get; } = new();

    public ServiceProcess RoomService { get; private set; } = null!;

    public ServiceProcess[] Gateways { get; private set; } = [];

    public IBrowserContext Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Where chromium is: <c>LIVEIM_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("LIVEIM_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        // Fail with what is missing, never skip: a browser test that silently does not run proves nothing.
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"chromium was not found at {ChromiumPath}: install it (apt-get install -y chromium) or set LIVEIM_CHROMIUM to its path");
        }

        if (!File.Exists(Path.Combine(AppContext.BaseDirectory, "demo", "viewer.html")))
        {
            throw new InvalidOperationException(
                "the demo pages were not built (RoomService's build needs npm, and `npm ci` in clients/js needs the npm registry once): "
                + "install Node.js 18+ with npm and build again");
        }

        await Nats.StartAsync();
        await Redis.StartAsync();
        var common = new Dictionary<string, string>
        {
            ["Auth__SigningKey"] = SigningKey,
            ["Admin__Token"] = AdminToken,
            ["Nats__Url"] = Nats.Url,
            ["Redis__EndPoint"] = Redis.EndPoint,
            ["Presence__IntervalSeconds"] = "1",
        };
        RoomService = new ServiceProcess(typeof(RoomServiceSetup).Assembly.Location, new Dictionary<string, string>(common)
        {
            ["Service__Token"] = ServiceToken,
            // Dev tokens for the pages: served only in the Development environment.
            ["DevTokens__Enabled"] = "true",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        });
        Gateways = new[] { "gwA", "gwB" }.Select(id => new ServiceProcess(typeof(GatewaySetup).Assembly.Location, new Dictionary<string, string>(common)
        {
            ["Gateway__Id"] = id,
            ["Registry__IntervalMs"] = "500",
            ["Registry__TtlMs"] = "1500",
            ["Drain__SpreadSeconds"] = "2",
            ["Drain__DeadlineSeconds"] = "6",
        })).ToArray();
        await Task.WhenAll(Gateways.Select(g => g.StartAsync(TimeSpan.FromSeconds(60))).Append(RoomService.StartAsync(TimeSpan.FromSeconds(60))));
        await WaitUntilAssignableAsync(Gateways);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumFlags,
            ViewportSize = new ViewportSize { Width = 1100, Height = 720 },
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        foreach (var process in Gateways.Append(RoomService))
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        Http.Dispose();
        await Redis.DisposeAsync();
        await Nats.DisposeAsync();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be writing its profile as it exits; the folder is in /tmp.
        }
    }

    /// <summary>Opens a demo page (<c>viewer.html?…</c>) in a new tab, recording its console errors.</summary>
    public async Task<DemoPage> OpenAsync(string pathAndQuery)
    {
        var page = await Browser.NewPageAsync();
        var demo = new DemoPage(page);
        await page.GotoAsync($"{RoomService.Url}/demo/{pathAndQuery}");
        return demo;
    }

    /// <summary>Starts a stopped gateway again and waits until assignment hands it out.</summary>
    public async Task RestartAsync(ServiceProcess gateway)
    {
        await gateway.StartAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAssignableAsync([gateway]);
    }

    /// <summary>Which gateways assignment can hand out now (their load reports are fresh and they are not draining).</summary>
    private async Task WaitUntilAssignableAsync(IReadOnlyCollection<ServiceProcess> gateways)
    {
        var wanted = gateways.Select(g => g.Url).ToHashSet();
        var seen = new HashSet<string>();
        await Eventually.TrueAsync(async () =>
        {
            // Assignment spreads fresh clients over the least-loaded gateways: asking a few times names each.
            for (var i = 0; i < 6; i++)
            {
                using var response = await Http.GetAsync(new Uri($"{RoomService.Url}/api/gateways/assign"));
                if (response.IsSuccessStatusCode)
                {
                    var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                    seen.Add(answer.GetProperty("url").GetString()!.TrimEnd('/'));
                }
            }

            return wanted.IsSubsetOf(seen);
        }, TimeSpan.FromSeconds(60), "assignment hands out " + string.Join(", ", wanted));
    }

    /// <summary>A room id of its own for each test.</summary>
    public static string NewRoom(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The room's online count as RoomService reports it.</summary>
    public async Task<long> OnlineAsync(string roomId)
    {
        var info = await Http.GetFromJsonAsync<JsonElement>(new Uri($"{RoomService.Url}/api/rooms/{roomId}"));
        return info.GetProperty("online").GetInt64();
    }

    /// <summary>Formats a number for a query string.</summary>
    public static string Q(double value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>One collection: the tests share the processes and the browser, and run one after another.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DemoCollection : ICollectionFixture<DemoCluster>
{
    public const string Name = "demo";
}
