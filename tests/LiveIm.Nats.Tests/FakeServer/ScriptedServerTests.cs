using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Nats.Tests.Infrastructure;
using LiveIm.Testing;

namespace LiveIm.Nats.Tests.FakeServer;

/// <summary>Faults and wire details a real server does not produce on demand, against a scripted server.</summary>
public class ScriptedServerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Connect_sends_CONNECT_with_headers_and_no_responders_then_PING()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url));

        var connecting = connection.ConnectAsync();
        var client = await server.AcceptAsync();
        var lines = await client.HandshakeAsync();
        await connecting;

        Assert.Equal(2, lines.Count);
        Assert.StartsWith("CONNECT {", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"verbose\":false", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"headers\":true", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"no_responders\":true", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"echo\":true", lines[0], StringComparison.Ordinal);
        Assert.Equal("PING", lines[1]);
    }

    [Fact]
    public async Task Error_during_handshake_fails_connect_with_server_error()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url));

        var connecting = connection.ConnectAsync();
        var client = await server.AcceptAsync();
        await client.SendAsync(ScriptedNatsServer.DefaultInfo);
        await client.ReadUntilAsync("PING");
        await client.SendAsync("-ERR 'Authorization Violation'");

        var error = await Assert.ThrowsAsync<NatsServerErrorException>(() => connecting);
        Assert.Contains("Authorization Violation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Error_after_connect_is_logged_and_the_connection_stays_up_while_the_server_keeps_it()
    {
        var logs = new TestLoggerFactory();
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url).With(loggerFactory: logs));
        var connecting = connection.ConnectAsync();
        var client = await server.AcceptAsync();
        await client.HandshakeAsync();
        await connecting;

        await client.SendAsync("-ERR 'Permissions Violation for Publish to \"secret\"'");
        await Eventually.TrueAsync(() => logs.Has(6), Wait, "the -ERR is logged");

        Assert.Equal(NatsConnectionState.Connected, connection.State);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 6 && e.Message.Contains("Permissions Violation", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_that_never_sends_INFO_fails_connect_after_the_connect_timeout()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url).With(connectTimeout: TimeSpan.FromMilliseconds(200)));
        var watch = Stopwatch.StartNew();

        var connecting = connection.ConnectAsync();
        await using var client = await server.AcceptAsync();
        var error = await Assert.ThrowsAsync<NatsException>(() => connecting);

        Assert.Contains("Timed out", error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Server_PING_is_answered_with_PONG()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url));
        var connecting = connection.ConnectAsync();
        var client = await server.AcceptAsync();
        await client.HandshakeAsync();
        await connecting;

        await client.SendAsync("PING");

        Assert.Equal("PONG", await client.ReadLineAsync());
    }

    [Fact]
    public async Task Server_that_stops_answering_PING_is_detected_as_stale_and_reconnected()
    {
        var logs = new TestLoggerFactory();
        var events = new ConcurrentQueue<NatsConnectionStateChangedEventArgs>();
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url).With(
            pingInterval: TimeSpan.FromMilliseconds(100), maxPingsOut: 2, loggerFactory: logs));
        connection.StateChanged += (_, e) => events.Enqueue(e);
        var connecting = connection.ConnectAsync();
        var first = await server.AcceptAsync();
        await first.HandshakeAsync();
        await connecting;

        // The first connection now reads nothing and answers nothing: a server hung without closing the socket.
        var second = await server.AcceptAsync(Wait);
        await second.HandshakeAsync();
        await Eventually.TrueAsync(() => connection.State == NatsConnectionState.Connected && events.Count >= 4, Wait, "reconnected");

        var lost = events.Single(e => e.NewState == NatsConnectionState.Reconnecting);
        Assert.Contains("Stale", lost.Error!.Message, StringComparison.Ordinal);
        Assert.True(logs.Has(7));
    }

    [Fact]
    public async Task After_reconnect_subscriptions_are_resent_with_the_same_sids_and_remaining_max_before_any_publish()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url));
        var received = new Received();
        var connecting = connection.ConnectAsync();
        var first = await server.AcceptAsync();
        await first.HandshakeAsync();
        await connecting;

        var plain = await connection.SubscribeAsync("room.a", null, received.Handle);
        var grouped = await connection.SubscribeAsync("room.b", "workers", received.Handle);
        await grouped.UnsubscribeAsync(maxMessages: 5);
        Assert.Equal("SUB room.a 1", await first.ReadLineAsync());
        Assert.Equal("SUB room.b workers 2", await first.ReadLineAsync());
        Assert.Equal("UNSUB 2 5", await first.ReadLineAsync());
        await first.SendAsync("MSG room.b 2 2\r\nm1\r\nMSG room.b 2 2\r\nm2");
        await Eventually.TrueAsync(() => received.Count == 2, Wait, "two messages on the limited subscription");

        await first.DisposeAsync();
        var second = await server.AcceptAsync(Wait);
        var handshake = await second.HandshakeAsync();
        await Eventually.TrueAsync(() => connection.State == NatsConnectionState.Connected, Wait, "reconnected");
        await connection.PublishAsync("room.a", "hi"u8.ToArray());

        Assert.StartsWith("CONNECT ", handshake[0], StringComparison.Ordinal);
        Assert.Equal(["SUB room.a 1", "SUB room.b workers 2", "UNSUB 2 3", "PING"], handshake.Skip(1));
        Assert.Equal("PUB room.a 2", await second.ReadLineAsync());
        Assert.Equal("hi", await second.ReadLineAsync());
        await plain.DisposeAsync();
        Assert.Equal("UNSUB 1", await second.ReadLineAsync());
    }

    [Fact]
    public async Task Burst_of_publishes_is_written_in_few_socket_writes()
    {
        await using var server = new ScriptedNatsServer();
        await using var connection = new NatsConnection(TestOptions.For(server.Url));
        var connecting = connection.ConnectAsync();
        var client = await server.AcceptAsync();
        await client.HandshakeAsync();
        await connecting;

        for (var i = 0; i < 10_000; i++)
        {
            await connection.PublishAsync("burst", "0123456789"u8.ToArray());
        }

        var lines = 0;
        while (lines < 20_000)
        {
            Assert.NotNull(await client.ReadLineAsync());
            lines++;
        }

        // How many publishes share a write depends on scheduling (a busy 2-core CI box flushes more often),
        // so the test proves batching happens, not a figure: fewer writes than publishes.
        Assert.InRange(connection.SocketWrites, 1, 9_999);
    }
}
