using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Auth;
using LiveIm.RoomGateway.Connections;
using LiveIm.RoomGateway.Limits;
using LiveIm.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The gateway's own WebSocket path for the hub (RoomGateway/Connections): negotiate, connection ids, the heartbeat,
/// the close handshake in both directions and its timeout, against a gateway (with its RoomService, NATS and Redis) of
/// this class's own whose SignalR keep-alive is 1 s and client timeout 4 s, so the heartbeat is seen within seconds.
/// </summary>
public sealed class HubWebSocketEndpointTests : IClassFixture<HubWebSocketEndpointTests.SocketSystem>
{
    private static readonly TimeSpan ClientTimeout = SocketSystem.ClientTimeout;

    private readonly SocketSystem _system;
    private readonly ITestOutputHelper _output;
    private readonly LiveImTokens _tokens = new(new AuthSettings { SigningKey = LiveImCluster.SigningKey });

    public HubWebSocketEndpointTests(SocketSystem system, ITestOutputHelper output)
    {
        _system = system;
        _output = output;
    }

    private InProcessHost Gateway => _system.Gateway;

    private int Heartbeats => Gateway.Services.GetRequiredService<ConnectionHeartbeat>().Count;

    private int Admitted => Gateway.Services.GetRequiredService<ConnectionAdmission>().Count;

    /// <summary>The connections left by the tests before this one have ended (so counts start from zero).</summary>
    private Task QuietAsync([global::System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        return Eventually.TrueAsync(() => Admitted == 0 && Heartbeats == 0, TimeSpan.FromSeconds(15), "no connection is open on the gateway");
    }

    [Fact]
    public async Task Negotiate_offers_only_WebSockets_with_fresh_ids_and_refuses_a_bad_version_with_a_code()
    {
        await QuietAsync();
        using var http = new HttpClient { BaseAddress = Gateway.Url, Timeout = TimeSpan.FromSeconds(10) };

        var ids = new HashSet<string>();
        foreach (var version in new[] { "1", "2", "0", null })
        {
            using var response = await http.PostAsync("/hubs/room/negotiate" + (version is null ? string.Empty : "?negotiateVersion=" + version), null);
            var body = await response.Content.ReadAsStringAsync();
            _output.WriteLine($"negotiateVersion={version ?? "(none)"}: {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var expected = version is "1" or "2" ? 1 : 0;
            Assert.Equal(expected, root.GetProperty("negotiateVersion").GetInt32());
            var id = root.GetProperty("connectionId").GetString()!;
            Assert.Equal(22, id.Length);
            Assert.True(ids.Add(id), "every negotiate gets a new connection id");
            Assert.Equal(expected == 1, root.TryGetProperty("connectionToken", out var token));
            if (expected == 1)
            {
                Assert.True(ids.Add(token.GetString()!), "the token is not the id");
            }

            var transport = Assert.Single(root.GetProperty("availableTransports").EnumerateArray());
            Assert.Equal("WebSockets", transport.GetProperty("transport").GetString());
            Assert.Equal(["Text", "Binary"], transport.GetProperty("transferFormats").EnumerateArray().Select(f => f.GetString()));
        }

        foreach (var bad in new[] { "abc", "-1", "", "1.0", "99999999999999999999", "1&negotiateVersion=2", "%00", "+1", " 1" })
        {
            using var response = await http.PostAsync("/hubs/room/negotiate?negotiateVersion=" + bad, null);
            var body = await response.Content.ReadAsStringAsync();
            _output.WriteLine($"negotiateVersion={bad}: {(int)response.StatusCode} {body}");
            using var json = JsonDocument.Parse(body);
            Assert.Equal("invalid_argument: negotiateVersion must be a number", json.RootElement.GetProperty("error").GetString());
            Assert.False(json.RootElement.TryGetProperty("connectionId", out _), bad);
        }

        // The gateway still answers a good negotiate and a connection after all that.
        using (var again = await http.PostAsync("/hubs/room/negotiate?negotiateVersion=1", null))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await using var socket = new RawHubSocket();
        await socket.ConnectAsync(Gateway.Url);
    }

    [Fact]
    public async Task Connections_run_on_the_gateways_own_path_and_an_id_in_the_URL_names_nothing()
    {
        var room = NewRoom();
        await QuietAsync();
        var before = Heartbeats;
        using var http = new HttpClient { BaseAddress = Gateway.Url };
        using var negotiated = await http.PostAsync("/hubs/room/negotiate?negotiateVersion=1", null);
        var token = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync()).RootElement.GetProperty("connectionToken").GetString()!;

        // Two connections that claim the same negotiated id, and others with ids that were never issued: each is a
        // connection of its own, and what one does (or its end) does not touch the others.
        var queries = new[] { "id=" + token, "id=" + token, "id=not-a-connection", "id=" + new string('x', 4000), "id=%00%ff", "id=&id=a" };
        var sockets = new List<RawHubSocket>();
        try
        {
            foreach (var query in queries)
            {
                var socket = new RawHubSocket();
                sockets.Add(socket);
                await socket.ConnectAsync(Gateway.Url, _tokens.Issue($"id{sockets.Count}", "ID", Roles.Viewer, null, TimeSpan.FromHours(1)), query);
                await socket.JoinAsync(room);
            }

            // Only the gateway's own path registers with ConnectionHeartbeat: every connection above is on it.
            await Eventually.TrueAsync(() => Heartbeats - before >= queries.Length, TimeSpan.FromSeconds(5), "every connection is on the gateway's path");

            // The first leaves; the second, with the same id, keeps chatting and hears itself; so do the others.
            await sockets[0].SendCloseAsync();
            await ReadToEndAsync(sockets[0], Cancel(10));
            foreach (var socket in sockets.Skip(1))
            {
                var reply = await socket.InvokeAsync("SendChat", "[\"still here\"]", Cancel(10));
                Assert.True(reply.Kind == HubOutcomeKind.Result, $"chat after another connection with the same id left: {reply}");
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }

        await Eventually.TrueAsync(() => Heartbeats == before, TimeSpan.FromSeconds(10), "closed connections leave the heartbeat");
    }

    [Fact]
    public async Task The_client_close_frame_ends_the_connection_at_once_and_a_server_close_sends_a_close_frame()
    {
        await QuietAsync();
        var before = Admitted;
        await using (var leaving = new RawHubSocket())
        {
            await leaving.ConnectAsync(Gateway.Url);
            await Eventually.TrueAsync(() => Admitted == before + 1, TimeSpan.FromSeconds(5), "the connection is counted");
            await leaving.SendCloseAsync();

            // The gateway answers the close frame with its own and the request ends: the connection is no longer counted.
            Assert.Empty(await ReadToEndAsync(leaving, Cancel(5)));
            Assert.Equal(WebSocketCloseStatus.NormalClosure, leaving.CloseStatus);
            await Eventually.TrueAsync(() => Admitted == before, TimeSpan.FromSeconds(3), "the request ends after the client's close frame");
        }

        // The gateway ends a connection (unreadable frame): SignalR's close message, then a WebSocket close frame.
        await using var closed = new RawHubSocket();
        await closed.ConnectAsync(Gateway.Url);
        await closed.SendRawAsync("not json\u001e"u8.ToArray());
        var outcome = await closed.ReadOutcomeAsync(null, Cancel(5));
        Assert.Equal((HubOutcomeKind.Closed, "invalid_frame"), (outcome.Kind, outcome.Code));
        Assert.Empty(await ReadToEndAsync(closed, Cancel(5)));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, closed.CloseStatus);
    }

    [Fact]
    public async Task A_client_that_never_answers_the_close_frame_is_dropped_after_the_close_timeout()
    {
        await QuietAsync();
        var before = Admitted;
        await using var silent = new RawHubSocket();
        await silent.ConnectAsync(Gateway.Url);
        await Eventually.TrueAsync(() => Admitted == before + 1, TimeSpan.FromSeconds(5), "the connection is counted");
        await silent.SendRawAsync("not json\u001e"u8.ToArray());
        Assert.Equal(HubOutcomeKind.Closed, (await silent.ReadOutcomeAsync(null, Cancel(5))).Kind);
        Assert.Empty(await ReadToEndAsync(silent, Cancel(5)));

        // The client read the server's close frame and sends none back: the gateway waits for it, then drops the socket.
        Assert.Equal(WebSocketState.CloseReceived, silent.State);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.TrueAsync(() => Admitted == before, HubWebSocketConnection.CloseTimeout * 3, "the socket is dropped after the close timeout");
        _output.WriteLine($"dropped {waited.ElapsedMilliseconds} ms after the close frame was read (close timeout {HubWebSocketConnection.CloseTimeout.TotalSeconds} s)");
        Assert.True(waited.Elapsed > HubWebSocketConnection.CloseTimeout / 2, "the gateway waited for the client's close frame first");
    }

    [Fact]
    public async Task The_heartbeat_sends_pings_to_a_silent_client_and_keeps_a_pinging_one()
    {
        await QuietAsync();
        var before = Admitted;
        await using var silent = new RawHubSocket();
        await silent.ConnectAsync(Gateway.Url);

        // Pings (type 6) every KeepAlive while the client says nothing. (SignalR's client timeout is not asserted: on
        // this path and on MapHub's alike, a silent raw client was not closed within 15 s at ClientTimeoutInterval 4 s;
        // to be explained before this path lands.)
        var pings = 0;
        var window = Cancel(5);
        try
        {
            while (await silent.ReadRecordAsync(window) is { } record)
            {
                Assert.Equal("{\"type\":6}", record);
                pings++;
            }
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
        }

        _output.WriteLine($"{pings} pings in 5 s (keep-alive {SocketSystem.KeepAlive.TotalSeconds} s)");
        Assert.True(pings >= 2, $"{pings} pings in 5 s"); // a ping when nothing was sent for KeepAlive, checked each 1 s tick: one per ~2 s

        // A client that pings stays.
        await using var talking = new RawHubSocket();
        await talking.ConnectAsync(Gateway.Url);
        for (var i = 0; i < 6; i++)
        {
            await talking.SendRawAsync("{\"type\":6}\u001e"u8.ToArray());
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var reply = await talking.InvokeAsync("LeaveRoom", "[]", Cancel(5));
        Assert.NotEqual(HubOutcomeKind.Dropped, reply.Kind);
        Assert.NotEqual(HubOutcomeKind.Closed, reply.Kind);
    }

    [Fact]
    public async Task An_oversized_message_closes_only_its_connection_on_either_protocol()
    {
        await QuietAsync();
        var room = NewRoom();
        await using var bystander = new RawHubSocket();
        await bystander.ConnectAsync(Gateway.Url, _tokens.Issue("bystander", "B", Roles.Viewer, null, TimeSpan.FromHours(1)));
        await bystander.JoinAsync(room);

        await using (var json = new RawHubSocket())
        {
            await json.ConnectAsync(Gateway.Url);
            await json.SendRawAsync(System.Text.Encoding.UTF8.GetBytes("{\"type\":1,\"target\":\"SendChat\",\"arguments\":[\"" + new string('a', 100_000) + "\"]}\u001e"));
            var outcome = await json.ReadOutcomeAsync(null, Cancel(10));
            Assert.True(outcome.Kind is HubOutcomeKind.Closed or HubOutcomeKind.Dropped, $"JSON: {outcome}");
        }

        await using (var pack = new RawMessagePackSocket())
        {
            await pack.ConnectAsync(Gateway.Url);
            await pack.SendRawAsync(RawMessagePackSocket.Invocation(null, "SendChat", new string('a', 100_000)));
            var outcome = await pack.ReadOutcomeAsync(null, Cancel(10));
            Assert.True(outcome.Kind is HubOutcomeKind.Closed or HubOutcomeKind.Dropped, $"MessagePack: {outcome}");
        }

        var reply = await bystander.InvokeAsync("SendChat", "[\"unbothered\"]", Cancel(10));
        Assert.True(reply.Kind == HubOutcomeKind.Result, $"bystander: {reply}");
    }

    // The records up to the socket's end, pings and SignalR's close message left out.
    private static async Task<List<string>> ReadToEndAsync(RawHubSocket socket, CancellationToken ct)
    {
        var records = new List<string>();
        while (await socket.ReadRecordAsync(ct) is { } record)
        {
            if (record != "{\"type\":6}" && !record.StartsWith("{\"type\":7", StringComparison.Ordinal))
            {
                records.Add(record);
            }
        }

        return records;
    }

    private static string NewRoom() => "sock-" + Guid.NewGuid().ToString("N")[..10];

    private static CancellationToken Cancel(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    /// <summary>NATS, Redis, a RoomService and the gateway under test (keep-alive 1 s, client timeout 4 s).</summary>
    public sealed class SocketSystem : IAsyncLifetime
    {
        public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(1);
        public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(4);

        private readonly List<InProcessHost> _hosts = [];
        private NatsServer _nats = null!;
        private RedisServer _redis = null!;

        public InProcessHost Gateway => _hosts[1];

        public async Task InitializeAsync()
        {
            _nats = await NatsServer.StartNewAsync();
            _redis = await RedisServer.StartNewAsync();
            var settings = new Dictionary<string, string?> { ["Nats:Url"] = _nats.Url, ["Redis:Configuration"] = _redis.EndPoint };
            _hosts.Add(await InProcessHost.RoomServiceAsync(settings));
            _hosts.Add(await InProcessHost.GatewayAsync(
                new Dictionary<string, string?>(settings) { ["Gateway:Id"] = "gw-sockets" },
                b => b.Services.Configure<HubOptions>(o =>
                {
                    o.KeepAliveInterval = KeepAlive;
                    o.ClientTimeoutInterval = ClientTimeout;
                })));

            // Until a chat round trip works (the gateway and RoomService connected to NATS and Redis).
            var tokens = new LiveImTokens(new AuthSettings { SigningKey = LiveImCluster.SigningKey });
            var room = NewRoom();
            await Eventually.TrueAsync(async () =>
            {
                await using var socket = new RawHubSocket();
                await socket.ConnectAsync(Gateway.Url, tokens.Issue("warmup", "W", Roles.Viewer, null, TimeSpan.FromHours(1)), Cancel(5));
                try
                {
                    await socket.JoinAsync(room, Cancel(5));
                }
                catch (InvalidOperationException)
                {
                    return false;
                }

                return (await socket.InvokeAsync("SendChat", "[\"warm up\"]", Cancel(5))).Kind == HubOutcomeKind.Result;
            }, TimeSpan.FromSeconds(20), "the system answers a chat");
        }

        public async Task DisposeAsync()
        {
            foreach (var host in Enumerable.Reverse(_hosts))
            {
                await host.DisposeAsync();
            }

            await _nats.DisposeAsync();
            await _redis.DisposeAsync();
        }
    }
}
