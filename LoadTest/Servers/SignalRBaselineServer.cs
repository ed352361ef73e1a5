using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LiveIm.LoadTest.Servers;

/// <summary>The baseline target: a stock ASP.NET Core SignalR hub (<see cref="BaselineHub"/>) at <c>/hubs/room</c>.</summary>
public static class SignalRBaselineServer
{
    /// <summary>Registers SignalR with its defaults and maps the hub.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BaselineRooms>();
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapHub<BaselineHub>(Protocol.SignalRFrames.HubPath);
        return app;
    }
}
