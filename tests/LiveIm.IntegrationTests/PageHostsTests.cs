using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveIm.RoomService;
using LiveIm.RoomService.Cors;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// RoomService as web pages see it: CORS for pages on other origins (off by default, on for the configured origins
/// and only for the public endpoints), the demo pages at /demo/, and the stream clock in room info. Three RoomService
/// hosts on one real NATS and Redis: defaults; CORS and dev tokens on with the demo not built; the demo turned off.
/// </summary>
public sealed class PageHostsFixture : IAsyncLifetime
{
    public const string PageOrigin = "https://app.example";

    private readonly List<WebApplication> _apps = [];

    public NatsServer Nats { get; } = new();

    public RedisServer Redis { get; } = new();

    public HttpClient Defaults { get; private set; } = null!;

    public HttpClient WithCors { get; private set; } = null!;

    public HttpClient DemoOff { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Nats.StartAsync();
        await Redis.StartAsync();
        Defaults = await StartAsync([]);
        WithCors = await StartAsync(new()
        {
            ["Cors:AllowedOrigins:0"] = PageOrigin,
            ["DevTokens:Enabled"] = "true",
            ["Demo:Path"] = Directory.CreateTempSubdirectory("liveim-nodemo").FullName,
            ["StreamClock:StaleAfter"] = "00:00:10",
        });
        DemoOff = await StartAsync(new() { ["Demo:Enabled"] = "false" });
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Redis.DisposeAsync();
        await Nats.DisposeAsync();
    }

    /// <summary>Builds and starts a RoomService with the test secrets plus <paramref name="settings"/>.</summary>
    public async Task<HttpClient> StartAsync(Dictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // Dev tokens are served only in Development.
            EnvironmentName = settings.TryGetValue("DevTokens:Enabled", out var dev) && dev == "true" ? "Development" : "IntegrationTest",
            ContentRootPath = Directory.CreateTempSubdirectory("liveim-pages").FullName,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = LiveImCluster.SigningKey,
            ["Admin:Token"] = LiveImCluster.AdminToken,
            ["Service:Token"] = LiveImCluster.ServiceToken,
            ["Nats:Url"] = Nats.Url,
            ["Redis:EndPoint"] = Redis.EndPoint,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddRoomService();
        var app = builder.Build();
        app.MapRoomService();
        _apps.Add(app);
        await app.StartAsync();
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
    }
}

public sealed class PageHostsTests(PageHostsFixture hosts) : IClassFixture<PageHostsFixture>
{
    private static HttpRequestMessage Get(string path, string origin) =>
        new(HttpMethod.Get, path) { Headers = { { "Origin", origin } } };

    private static HttpRequestMessage Preflight(string path, string method, string origin, string headers) =>
        new(HttpMethod.Options, path)
        {
            Headers = { { "Origin", origin }, { "Access-Control-Request-Method", method }, { "Access-Control-Request-Headers", headers } },
        };

    private static string? AllowedOrigin(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? string.Join(",", values) : null;

    [Theory]
    [InlineData("/api/gateways/assign?roomId=r1")]
    [InlineData("/api/rooms/r1")]
    [InlineData("/api/rooms/r1/replay?epoch=1")]
    public async Task By_default_no_page_on_another_origin_may_read_an_endpoint(string path)
    {
        using var response = await hosts.Defaults.SendAsync(Get(path, PageHostsFixture.PageOrigin));
        using var preflight = await hosts.Defaults.SendAsync(Preflight(path, "GET", PageHostsFixture.PageOrigin, "accept"));

        Assert.Null(AllowedOrigin(response));
        Assert.Null(AllowedOrigin(preflight));
    }

    [Theory]
    [InlineData("/api/gateways/assign?roomId=r1")]
    [InlineData("/api/rooms/r1")]
    [InlineData("/api/rooms/r1/replay?epoch=1")]
    public async Task A_configured_origin_may_read_the_public_endpoints_and_their_Retry_After(string path)
    {
        using var response = await hosts.WithCors.SendAsync(Get(path, PageHostsFixture.PageOrigin));

        Assert.Equal(PageHostsFixture.PageOrigin, AllowedOrigin(response));
        Assert.Contains("Retry-After", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task A_configured_origin_may_ask_for_a_dev_token_when_dev_tokens_are_on()
    {
        using var preflight = await hosts.WithCors.SendAsync(Preflight("/api/dev/token", "POST", PageHostsFixture.PageOrigin, "content-type"));
        using var post = await hosts.WithCors.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/dev/token")
        {
            Headers = { { "Origin", PageHostsFixture.PageOrigin } },
            Content = new StringContent("""{"userId":"u1","name":"Ann","role":"viewer"}""", Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(PageHostsFixture.PageOrigin, AllowedOrigin(preflight));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(PageHostsFixture.PageOrigin, AllowedOrigin(post));
    }

    [Theory]
    [InlineData("/api/rooms/r1/stream-clock", "POST", "authorization,content-type")]
    [InlineData("/api/rooms/r1/chat-budget", "PUT", "authorization,content-type")]
    [InlineData("/api/rooms/r1/chat-budget", "GET", "authorization")]
    [InlineData("/metrics", "GET", "accept")]
    [InlineData("/api/rooms/r1/replay/extra", "GET", "accept")]
    public async Task Secret_bearing_and_other_endpoints_stay_closed_to_pages_even_from_a_configured_origin(string path, string method, string headers)
    {
        using var preflight = await hosts.WithCors.SendAsync(Preflight(path, method, PageHostsFixture.PageOrigin, headers));
        using var get = await hosts.WithCors.SendAsync(Get(path, PageHostsFixture.PageOrigin));

        Assert.Null(AllowedOrigin(preflight));
        Assert.Null(AllowedOrigin(get));
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://app.example.evil.example")]
    [InlineData("http://app.example")]
    [InlineData("null")]
    public async Task An_origin_that_is_not_configured_gets_no_access(string origin)
    {
        using var response = await hosts.WithCors.SendAsync(Get("/api/rooms/r1", origin));
        using var preflight = await hosts.WithCors.SendAsync(Preflight("/api/dev/token", "POST", origin, "content-type"));

        Assert.Null(AllowedOrigin(response));
        Assert.Null(AllowedOrigin(preflight));
    }

    [Theory]
    [InlineData("app.example")]
    [InlineData("https://app.example/")]
    [InlineData("https://app.example/path")]
    [InlineData("ftp://app.example")]
    [InlineData("https://user:pw@app.example")]
    [InlineData("https://app.example?x=1")]
    public async Task A_malformed_origin_stops_start_up_naming_the_setting(string origin)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => hosts.StartAsync(new() { ["Cors:AllowedOrigins:0"] = origin }));

        Assert.Contains("Cors:AllowedOrigins", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/gateways/assign", true, true)]
    [InlineData("/api/rooms/r1", false, true)]
    [InlineData("/api/rooms/r1/replay", false, true)]
    [InlineData("/api/dev/token", true, true)]
    [InlineData("/api/dev/token", false, false)]
    [InlineData("/api/rooms/r1/stream-clock", true, false)]
    [InlineData("/api/rooms/r1/chat-budget", true, false)]
    [InlineData("/api/rooms", true, false)]
    [InlineData("/api/rooms/", true, false)]
    [InlineData("/api/roomsX/r1", true, false)]
    [InlineData("/demo/viewer.html", true, false)]
    public void Only_the_public_paths_are_covered(string path, bool devTokens, bool expected) =>
        Assert.Equal(expected, PageCors.IsPublic(new PathString(path), devTokens));

    [Fact]
    public async Task The_demo_pages_are_served_from_this_origin_only_with_a_strict_content_security_policy()
    {
        using var viewer = await hosts.Defaults.GetAsync("/demo/viewer.html");
        using var script = await hosts.Defaults.GetAsync("/demo/viewer.js");
        using var index = await hosts.Defaults.GetAsync("/demo/");
        using var bare = await hosts.Defaults.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/demo?room=r1"));
        var config = await hosts.Defaults.GetFromJsonAsync<JsonElement>("/demo/config.json");

        Assert.Equal(HttpStatusCode.OK, viewer.StatusCode);
        Assert.Equal("text/html", viewer.Content.Headers.ContentType!.MediaType);
        var csp = viewer.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", viewer.Headers.GetValues("X-Content-Type-Options").Single());
        var html = await viewer.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("@microsoft/signalr", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Contains("viewer.html", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/demo/viewer.html", viewer.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("/demo/?room=r1", bare.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.False(config.GetProperty("devTokens").GetBoolean());
    }

    [Fact]
    public async Task Without_built_pages_the_demo_answers_503_saying_what_is_missing_and_turned_off_it_is_not_there()
    {
        using var missing = await hosts.WithCors.GetAsync("/demo/viewer.html");
        var config = await hosts.WithCors.GetFromJsonAsync<JsonElement>("/demo/config.json");
        using var off = await hosts.DemoOff.GetAsync("/demo/viewer.html");
        using var offConfig = await hosts.DemoOff.GetAsync("/demo/config.json");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, missing.StatusCode);
        var body = await missing.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("unavailable", body.GetProperty("error").GetString());
        Assert.Contains("npm", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(config.GetProperty("devTokens").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, off.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, offConfig.StatusCode);
    }

    [Fact]
    public async Task Room_info_carries_the_stream_clock_while_it_is_fresh_and_null_without_one()
    {
        var room = "pages-" + Guid.NewGuid().ToString("N")[..8];
        var none = await hosts.WithCors.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("stream").ValueKind);

        using var report = new HttpRequestMessage(HttpMethod.Post, $"/api/rooms/{room}/stream-clock")
        {
            Headers = { { "Authorization", "Bearer " + LiveImCluster.ServiceToken } },
            Content = new StringContent("""{"streamMs":5000}""", Encoding.UTF8, "application/json"),
        };
        using var reported = await hosts.WithCors.SendAsync(report);
        var clock = await reported.Content.ReadFromJsonAsync<JsonElement>();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var info = await hosts.WithCors.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}");

        var stream = info.GetProperty("stream");
        Assert.Equal(clock.GetProperty("epoch").GetInt64(), stream.GetProperty("epoch").GetInt64());
        Assert.Equal(clock.GetProperty("offsetMs").GetInt64(), stream.GetProperty("offsetMs").GetInt64());
        Assert.InRange(stream.GetProperty("serverTime").GetInt64(), before - 1_000, before + 1_000);

        // The live edge it implies is where the stream is now: 5 s plus the moments since the report.
        var streamNow = stream.GetProperty("serverTime").GetInt64() - stream.GetProperty("offsetMs").GetInt64();
        Assert.InRange(streamNow, 5_000, 6_000);

        // Stale after StreamClock:StaleAfter (10 s here) without a report, as the stamps are.
        await Eventually.TrueAsync(
            async () => (await hosts.WithCors.GetFromJsonAsync<JsonElement>($"/api/rooms/{room}")).GetProperty("stream").ValueKind == JsonValueKind.Null,
            TimeSpan.FromSeconds(20), "the clock goes stale");
    }
}
