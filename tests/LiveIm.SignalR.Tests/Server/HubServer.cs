using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace LiveIm.SignalR.Tests.Server;

/// <summary>
/// A real ASP.NET Core SignalR server (Kestrel on 127.0.0.1, port chosen by the OS) for one test class, plus fake
/// negotiate endpoints and a scripted raw WebSocket endpoint for wire-level cases the real hub never produces.
/// </summary>
public sealed class HubServer : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary><c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public Uri Url(string path) => new(BaseAddress, path);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSignalR(options => options.MaximumParallelInvocationsPerClient = 4)
            .AddHubOptions<SmallMessageHub>(options => options.MaximumReceiveMessageSize = 1024)
            .AddHubOptions<ShortTimeoutHub>(options =>
            {
                options.ClientTimeoutInterval = TimeSpan.FromSeconds(2);
                options.KeepAliveInterval = TimeSpan.FromMilliseconds(500);
            });

        _app = builder.Build();
        _app.UseWebSockets();
        _app.MapHub<TestHub>("/hubs/test");
        _app.MapHub<SmallMessageHub>("/hubs/small");
        _app.MapHub<ShortTimeoutHub>("/hubs/short");
        _app.MapHub<TestHub>("/hubs/ws-only", options => options.Transports = HttpTransportType.WebSockets);
        _app.MapPost("/redirect/negotiate", () => Results.Json(new { url = Url("/hubs/test").ToString(), accessToken = "redirected-token" }));
        _app.MapPost("/denied/negotiate", () => Results.Json(new { error = "denied_by_test" }));
        _app.MapPost("/locked/negotiate", () => Results.StatusCode(401));
        _app.Map("/scripted", ScriptedAsync);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// A hand-written server: after the handshake it sends records split across WebSocket frames and messages, several
    /// records in one message, an invocation with an escaped target, an unknown message type, then Close with an error.
    /// </summary>
    private static async Task ScriptedAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[1024];
        var received = 0;
        while (Array.IndexOf(buffer, (byte)0x1E, 0, received) < 0)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(received), CancellationToken.None);
            received += result.Count;
        }

        async Task Send(string text, bool endOfMessage = true) =>
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

        const char rs = '\u001e';
        // Handshake response and the first invocation in one message.
        await Send("{}" + rs + "{\"type\":1,\"target\":\"m\",\"arguments\":[1]}" + rs);
        // One record across two frames of one message.
        await Send("{\"type\":1,\"tar", endOfMessage: false);
        await Send("get\":\"m\",\"arguments\":[2]}" + rs);
        // One record across two messages, the second message also carrying a whole record and an unknown type.
        await Send("{\"headers\":{\"a\":\"b\"},\"arguments\":[3],\"target\":\"m\",");
        await Send("\"type\":1}" + rs + "{\"type\":42,\"whatever\":[1,2]}" + rs + "{\"type\":1,\"target\":\"\\u006d\",\"arguments\":[4]}" + rs);
        await Send("{\"type\":6}" + rs + "{\"type\":7,\"error\":\"slow_consumer\",\"allowReconnect\":true}" + rs);

        // Wait for the client to close its side.
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }
    }
}
