using LiveIm.SignalR.Tests.Server;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.SignalR.Tests;

/// <summary>Pings and timeouts, in both directions. Slow-ish (seconds), so in their own class to run in parallel with the rest.</summary>
public sealed class KeepAliveTests(HubServer server) : IClassFixture<HubServer>
{
    [Fact]
    public async Task Pings_keep_an_idle_connection_alive_past_the_server_client_timeout()
    {
        // Server: ClientTimeoutInterval 2 s. Client: ping every 500 ms.
        await using var connection = new HubConnection(new HubConnectionOptions
        {
            Url = server.Url("/hubs/short"),
            KeepAliveInterval = TimeSpan.FromMilliseconds(500),
        });
        await connection.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.Equal("alive", await connection.InvokeAsync<string>("Echo", ["alive"]));
    }

    [Fact]
    public async Task Without_pings_the_server_drops_an_idle_client()
    {
        await using var connection = new HubConnection(new HubConnectionOptions
        {
            Url = server.Url("/hubs/short"),
            KeepAliveInterval = TimeSpan.Zero,
        });
        await connection.StartAsync();

        // ASP.NET Core arms ClientTimeoutInterval at the client's first Ping (clients that never ping are never timed
        // out), so ping once by hand, then stay silent.
        await connection.SendRawAsync("{\"type\":6}\u001e"u8.ToArray());
        await Eventually.TrueAsync(() => connection.State == HubConnectionState.Closed, TimeSpan.FromSeconds(8), "server client-timeout");
    }

    [Fact]
    public async Task A_silent_server_is_detected_by_ServerTimeout()
    {
        // /hubs/test pings every 15 s (the default), far longer than a 1 s ServerTimeout.
        var connection = new HubConnection(new HubConnectionOptions
        {
            Url = server.Url("/hubs/test"),
            ServerTimeout = TimeSpan.FromSeconds(1),
        });
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        await connection.StartAsync();
        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(8));
        Assert.StartsWith("server_timeout:", Assert.IsType<HubConnectionClosedException>(reason).Message, StringComparison.Ordinal);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task An_idle_connection_holds_no_receive_buffer()
    {
        await using var connection = new HubConnection(new HubConnectionOptions { Url = server.Url("/hubs/test") });
        await connection.StartAsync();
        Assert.Equal("x", await connection.InvokeAsync<string>("Echo", ["x"]));
        await Eventually.TrueAsync(() => !connection.HoldsReceiveBuffer, TimeSpan.FromSeconds(5), "buffer returned while idle");
    }
}
