using LiveIm.RoomService;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace LiveIm.IntegrationTests;

/// <summary>
/// One RoomService in the test process on a free loopback port, against the given NATS and Redis, with the test
/// secrets (fixtures that need RoomService without <see cref="LiveImCluster"/>'s in-process gateways).
/// </summary>
public sealed class InProcessRoomService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessRoomService(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary><c>http://127.0.0.1:port</c>.</summary>
    public Uri Url { get; }

    /// <summary>Starts it; <paramref name="name"/> names its temporary content root.</summary>
    public static async Task<InProcessRoomService> StartAsync(string natsUrl, string redisEndPoint, string name)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "IntegrationTest",
            ContentRootPath = Directory.CreateTempSubdirectory("liveim-" + name).FullName,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = LiveImCluster.SigningKey,
            ["Admin:Token"] = LiveImCluster.AdminToken,
            ["Service:Token"] = LiveImCluster.ServiceToken,
            ["Nats:Url"] = natsUrl,
            ["Redis:EndPoint"] = redisEndPoint,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.AddTestLogFile("roomservice-" + name);
        builder.AddRoomService();
        var app = builder.Build();
        app.MapRoomService();
        await app.StartAsync();
        return new InProcessRoomService(app, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
