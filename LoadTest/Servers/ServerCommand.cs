using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace LiveIm.LoadTest.Servers;

/// <summary>
/// The hidden subcommands that turn this executable into a comparison server (<c>serve-signalr</c>,
/// <c>serve-raw</c>): the runner starts them as child processes so that each target's CPU and memory are its own.
/// </summary>
public static class ServerCommand
{
    /// <summary>Subcommand of the stock SignalR hub.</summary>
    public const string SignalR = "serve-signalr";

    /// <summary>Subcommand of the raw WebSocket ceiling.</summary>
    public const string Raw = "serve-raw";

    /// <summary>Runs <paramref name="args"/>[0] until the process is killed; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var port = ReadPort(args);
        if (port is null)
        {
            await Console.Error.WriteLineAsync($"usage: LoadTest {args[0]} --port <1-65535>");
            return 2;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = args[0] == SignalR ? SignalRBaselineServer.Build(builder) : RawFanoutServer.Build(builder);
        app.MapGet("/healthz", () => Results.Text("ok"));
        await app.RunAsync();
        return 0;
    }

    private static int? ReadPort(string[] args)
    {
        for (var i = 1; i + 1 < args.Length; i++)
        {
            if (args[i] == "--port" && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            {
                return port;
            }
        }

        return null;
    }
}
