using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using LiveIm.SignalR.Tests.Server;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.SignalR.Tests;

/// <summary>The client against a real ASP.NET Core SignalR server on loopback.</summary>
public sealed class HubConnectionTests(HubServer server) : IClassFixture<HubServer>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private async Task<HubConnection> ConnectAsync(string path = "/hubs/test", Func<Uri, HubConnectionOptions>? options = null)
    {
        var url = server.Url(path);
        var connection = new HubConnection(options?.Invoke(url) ?? new HubConnectionOptions { Url = url });
        await connection.StartAsync();
        return connection;
    }

    [Fact]
    public async Task Start_negotiates_and_completes_the_handshake()
    {
        await using var connection = await ConnectAsync();
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.False(string.IsNullOrEmpty(connection.ConnectionId));
    }

    [Fact]
    public async Task Invoke_returns_the_deserialized_result()
    {
        await using var connection = await ConnectAsync();
        Assert.Equal("héllo \"world\"", await connection.InvokeAsync<string>("Echo", ["héllo \"world\""]));
        Assert.Equal(42, await connection.InvokeAsync<int>("Add", [40, 2]));
        Assert.Equal(new Point(2, 1), await connection.InvokeAsync<Point>("Mirror", [new Point(1, 2)]));
    }

    [Fact]
    public async Task Invoke_of_a_void_method_completes()
    {
        await using var connection = await ConnectAsync();
        await connection.InvokeAsync("Nothing", []);
        Assert.Null(await connection.InvokeAsync<string?>("Nothing", []));
    }

    [Fact]
    public async Task Server_error_surfaces_as_HubException_with_the_message_verbatim()
    {
        await using var connection = await ConnectAsync();
        var ex = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync("Fail", []));
        // Verbatim, including ASP.NET Core's wording around the hub's own text.
        Assert.Equal("An unexpected error occurred invoking 'Fail' on the server. HubException: invalid_argument: nope", ex.Message);
        Assert.Equal("invalid_argument: nope", ex.ServerMessage);
        Assert.Equal(3, await connection.InvokeAsync<int>("Add", [1, 2])); // the connection carries on
    }

    [Fact]
    public async Task Server_invocations_reach_On_handlers_in_order()
    {
        await using var connection = await ConnectAsync();
        var received = new ConcurrentQueue<string>();
        using var subscription = connection.On<string>("notified", received.Enqueue);
        for (var i = 0; i < 20; i++)
        {
            await connection.InvokeAsync("Notify", [$"n{i}"]);
        }

        await Eventually.TrueAsync(() => received.Count == 20, Wait, "20 notifications");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"n{i}"), received);
    }

    [Fact]
    public async Task Raw_handler_gets_every_argument_as_json()
    {
        await using var connection = await ConnectAsync();
        var got = new TaskCompletionSource<(int X, string Second)>();
        using var subscription = connection.On("point", args =>
            got.TrySetResult((args[0].GetProperty("x").GetInt32(), args[1].GetString()!)));
        await connection.InvokeAsync("SendPoint", []);
        Assert.Equal((1, "second"), await got.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Disposed_subscription_stops_receiving_and_a_throwing_handler_is_not_fatal()
    {
        await using var connection = await ConnectAsync();
        var count = 0;
        var subscription = connection.On<string>("notified", _ => Interlocked.Increment(ref count));
        using var thrower = connection.On<string>("notified", _ => throw new InvalidOperationException("handler bug"));
        await connection.InvokeAsync("Notify", ["a"]);
        await Eventually.TrueAsync(() => Volatile.Read(ref count) == 1, Wait, "first notification");
        subscription.Dispose();
        await connection.InvokeAsync("Notify", ["b"]);
        Assert.Equal("ok", await connection.InvokeAsync<string>("Echo", ["ok"])); // ordered after "b" on the wire
        Assert.Equal(1, Volatile.Read(ref count));
        Assert.Equal(HubConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task A_thousand_concurrent_invocations_each_get_their_own_result()
    {
        await using var connection = await ConnectAsync();
        var calls = Enumerable.Range(0, 1000).Select(i => connection.InvokeAsync<int>("Add", [i, i])).ToArray();
        var results = await Task.WhenAll(calls).WaitAsync(Wait);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => 2 * i), results);
    }

    [Fact]
    public async Task SendAsync_is_fire_and_forget()
    {
        await using var connection = await ConnectAsync();
        var got = new TaskCompletionSource<string>();
        using var subscription = connection.On<string>("notified", text => got.TrySetResult(text));
        await connection.SendAsync("Notify", ["sent"]);
        Assert.Equal("sent", await got.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Broadcast_reaches_other_connections()
    {
        await using var sender = await ConnectAsync();
        await using var listener = await ConnectAsync();
        var got = new TaskCompletionSource<string>();
        using var subscription = listener.On<string>("message", text => got.TrySetResult(text));
        await sender.InvokeAsync("Broadcast", ["to all"]);
        Assert.Equal("to all", await got.Task.WaitAsync(Wait));
    }

    [Fact]
    public async Task Server_abort_raises_Closed_and_fails_pending_invocations()
    {
        var connection = await ConnectAsync();
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        var slow = connection.InvokeAsync("SlowVoid", []);
        await Task.Delay(100);
        _ = connection.SendAsync("Abort", []);

        await Assert.ThrowsAsync<HubConnectionClosedException>(() => slow.WaitAsync(Wait));
        await closed.Task.WaitAsync(Wait);
        Assert.Equal(HubConnectionState.Closed, connection.State);
        await Assert.ThrowsAsync<HubConnectionClosedException>(() => connection.InvokeAsync("Nothing", []));
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Server_Close_with_an_error_surfaces_as_CloseError()
    {
        var connection = await ConnectAsync("/hubs/small");
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        // Over the hub's 1 KB MaximumReceiveMessageSize: the server sends Close with an error and drops us.
        _ = connection.SendAsync("Echo", [new string('x', 4096)]);

        var reason = await closed.Task.WaitAsync(Wait);
        Assert.NotNull(connection.CloseError);
        var closedException = Assert.IsType<HubConnectionClosedException>(reason);
        Assert.Equal(connection.CloseError, closedException.Message);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task StopAsync_closes_cleanly()
    {
        var connection = await ConnectAsync();
        Exception? reason = new InvalidOperationException("not raised");
        var raised = 0;
        connection.Closed += ex =>
        {
            reason = ex;
            Interlocked.Increment(ref raised);
            return Task.CompletedTask;
        };

        await connection.StopAsync();
        Assert.Equal(HubConnectionState.Closed, connection.State);
        Assert.Null(reason);
        await connection.StopAsync();
        await connection.DisposeAsync();
        Assert.Equal(1, raised);
        Assert.Null(connection.CloseError);
        await Assert.ThrowsAsync<HubConnectionClosedException>(() => connection.InvokeAsync("Nothing", []));
    }

    [Fact]
    public async Task Cancelling_an_invocation_leaves_the_connection_usable()
    {
        await using var connection = await ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.InvokeAsync("SlowVoid", [], cts.Token));
        Assert.Equal("still here", await connection.InvokeAsync<string>("Echo", ["still here"]));
    }

    [Fact]
    public async Task SkipNegotiation_connects_the_WebSocket_directly()
    {
        await using var connection = await ConnectAsync("/hubs/ws-only", url => new HubConnectionOptions { Url = url, SkipNegotiation = true });
        Assert.Null(connection.ConnectionId);
        Assert.Equal("direct", await connection.InvokeAsync<string>("Echo", ["direct"]));
    }

    [Fact]
    public async Task Access_token_goes_to_the_WebSocket_query()
    {
        await using var connection = await ConnectAsync(options: url => new HubConnectionOptions { Url = url, AccessTokenProvider = () => "tok 1/2" });
        Assert.Equal("tok 1/2", await connection.InvokeAsync<string>("WhoAmI", []));
    }

    [Fact]
    public async Task Negotiate_redirect_is_followed_with_its_access_token()
    {
        await using var connection = await ConnectAsync("/redirect");
        Assert.Equal("redirected-token", await connection.InvokeAsync<string>("WhoAmI", []));
    }

    [Fact]
    public async Task Negotiate_on_a_wrong_path_fails_with_status_404()
    {
        var connection = new HubConnection(new HubConnectionOptions { Url = server.Url("/hubs/nope") });
        var ex = await Assert.ThrowsAsync<HubConnectionException>(() => connection.StartAsync());
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Negotiate_refusals_keep_status_and_error_text()
    {
        var locked = new HubConnection(new HubConnectionOptions { Url = server.Url("/locked") });
        Assert.Equal(401, (await Assert.ThrowsAsync<HubConnectionException>(() => locked.StartAsync())).StatusCode);

        var denied = new HubConnection(new HubConnectionOptions { Url = server.Url("/denied") });
        var ex = await Assert.ThrowsAsync<HubConnectionException>(() => denied.StartAsync());
        Assert.Equal("denied_by_test", ex.Message);
        Assert.Null(ex.StatusCode);
    }

    [Fact]
    public async Task WebSocket_upgrade_refusal_keeps_the_status()
    {
        // No negotiate, and an id the server does not know: "a 404 Not Found response is returned".
        var connection = new HubConnection(new HubConnectionOptions
        {
            Url = new Uri(server.Url("/hubs/test") + "?id=unknown"),
            SkipNegotiation = true,
        });
        var ex = await Assert.ThrowsAsync<HubConnectionException>(() => connection.StartAsync());
        Assert.Equal(404, ex.StatusCode);
    }

    [Fact]
    public async Task Unreachable_server_fails_start_with_HubConnectionException()
    {
        var connection = new HubConnection(new HubConnectionOptions { Url = new Uri($"http://127.0.0.1:{FreePort.Next()}/hubs/test") });
        await Assert.ThrowsAsync<HubConnectionException>(() => connection.StartAsync());
    }

    [Fact]
    public async Task Server_asking_for_a_client_result_gets_an_error_back()
    {
        await using var connection = await ConnectAsync();
        var answer = await connection.InvokeAsync<string>("AskClient", []).WaitAsync(Wait);
        Assert.Contains("does not support returning results", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_from_the_client_makes_the_server_close_the_connection()
    {
        var connection = await ConnectAsync();
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        await connection.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\u001e"));
        await closed.Task.WaitAsync(Wait);
        Assert.Equal(HubConnectionState.Closed, connection.State);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Records_split_across_frames_and_messages_are_dispatched_in_order()
    {
        var connection = new HubConnection(new HubConnectionOptions { Url = server.Url("/scripted"), SkipNegotiation = true });
        var received = new ConcurrentQueue<int>();
        using var subscription = connection.On<int>("m", received.Enqueue);
        var closed = new TaskCompletionSource<Exception?>();
        connection.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };

        await connection.StartAsync();
        var reason = await closed.Task.WaitAsync(Wait);

        Assert.Equal([1, 2, 3, 4], received);
        Assert.Equal("slow_consumer", connection.CloseError);
        Assert.True(connection.AllowReconnect);
        Assert.Equal("slow_consumer", Assert.IsType<HubConnectionClosedException>(reason).Message);
        await connection.DisposeAsync();
    }

    [Fact]
    public async Task Start_twice_is_rejected()
    {
        await using var connection = await ConnectAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => connection.StartAsync());
    }

    [Fact]
    public void Elements_handed_to_handlers_keep_json_semantics()
    {
        // Guard for the documented contract: JsonElement.Clone() detaches an argument from the receive buffer.
        using var document = JsonDocument.Parse("[1]");
        var clone = document.RootElement[0].Clone();
        document.Dispose();
        Assert.Equal(1, clone.GetInt32());
    }
}
