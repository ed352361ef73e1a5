using LiveIm.RoomGateway;
using LiveIm.RoomService;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A RoomService or a gateway in the test process on a free loopback port, with the test secrets and the settings of
/// <see cref="LiveImCluster"/> that keep per-connection limits out of a test's way, plus the caller's own (each
/// process its own <c>Nats:Url</c>, say).
/// </summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHost(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts a RoomService.</summary>
    public static Task<InProcessHost> RoomServiceAsync(IReadOnlyDictionary<string, string?> settings) =>
        StartAsync(b => b.AddRoomService(), a => a.MapRoomService(), settings);

    /// <summary>The host's services (a gateway's connection count, say).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a gateway; <paramref name="configure"/> (when given) runs after its own registrations.</summary>
    public static Task<InProcessHost> GatewayAsync(IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null) =>
        StartAsync(
            b =>
            {
                b.AddRoomGateway();
                configure?.Invoke(b);
            },
            a => a.MapRoomGateway(),
            settings);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<InProcessHost> StartAsync(Action<WebApplicationBuilder> add, Action<WebApplication> map, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "IntegrationTest",
            ContentRootPath = Directory.CreateTempSubdirectory("liveim-host").FullName,
        });
        var values = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = LiveImCluster.SigningKey,
            ["Admin:Token"] = LiveImCluster.AdminToken,
            ["Service:Token"] = LiveImCluster.ServiceToken,
            ["Limits:UserChatPerSecond"] = "0",
            ["Limits:UserGiftPerSecond"] = "0",
            ["Limits:RoomGiftsPerSecond"] = "0",
            ["Drain:OnShutdown"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in LiveImCluster.TestLimits)
        {
            values[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        add(builder);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return new InProcessHost(app, new Uri($"http://127.0.0.1:{port}"));
    }
}
