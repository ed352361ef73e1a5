using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// The ceiling target: Kestrel and bare WebSockets at <c>/hubs/room</c>, speaking just enough SignalR JSON for the
/// load clients. Each published message becomes ONE pre-built frame queued to every member (see <see cref="RawRoom"/>).
/// It has none of LiveIm's duties (auth, persistence, bus, sequencing across processes): it shows what the machine
/// can push through sockets, not what a product could.
/// </summary>
public static class RawFanoutServer
{
    /// <summary>"Servers send a ping every 15 s" (ASP.NET Core's default), so idle clients see traffic.</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);

    /// <summary>Maps the WebSocket endpoint.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RawRooms>();
        var app = builder.Build();
        var rooms = app.Services.GetRequiredService<RawRooms>();
        var pings = new Timer(_ => rooms.PingAll(), null, PingInterval, PingInterval);
        app.Lifetime.ApplicationStopping.Register(() => pings.Dispose());

        app.UseWebSockets();
        app.Map(Protocol.SignalRFrames.HubPath, async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync("WebSocket only (skip negotiation)");
                return;
            }

            using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
            await new RawConnection(webSocket, rooms).RunAsync(context.RequestAborted);
        });
        return app;
    }
}
