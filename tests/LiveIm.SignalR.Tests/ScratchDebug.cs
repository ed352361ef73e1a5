using LiveIm.SignalR.Tests.Server;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.SignalR.Tests;

public sealed class ScratchDebug(HubServer server, ITestOutputHelper output) : IClassFixture<HubServer>
{
    [Theory]
    [InlineData("/hubs/test", "Abort")]
    [InlineData("/hubs/small", "Big")]
    public async Task Scratch(string path, string what)
    {
        var c = new HubConnection(new HubConnectionOptions { Url = server.Url(path) });
        var tcs = new TaskCompletionSource<Exception?>();
        c.Closed += ex => { tcs.TrySetResult(ex); return Task.CompletedTask; };
        await c.StartAsync();
        if (what == "Abort") await c.SendAsync("Abort", []); else await c.SendAsync("Echo", [new string('x', 4000)]);
        var ex = await tcs.Task.WaitAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"REASON {what}: {ex?.GetType().Name}: {ex?.Message} | CloseError={c.CloseError} AllowReconnect={c.AllowReconnect}");
    }
}
