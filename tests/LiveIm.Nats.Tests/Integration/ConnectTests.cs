using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Nats.Tests.Infrastructure;
using LiveIm.Testing;

namespace LiveIm.Nats.Tests.Integration;

public class ConnectTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    [Fact]
    public async Task Connect_reads_INFO_and_reports_url_and_max_payload()
    {
        var events = new ConcurrentQueue<NatsConnectionStateChangedEventArgs>();
        await using var connection = new NatsConnection(TestOptions.For(fixture.Url));
        connection.StateChanged += (_, e) => events.Enqueue(e);

        await connection.ConnectAsync();

        Assert.Equal(NatsConnectionState.Connected, connection.State);
        Assert.Equal(fixture.Url, connection.ConnectedUrl);
        Assert.Equal(1024 * 1024, connection.MaxPayload);
        Assert.Equal(
            [(NatsConnectionState.Disconnected, NatsConnectionState.Connecting), (NatsConnectionState.Connecting, NatsConnectionState.Connected)],
            events.Select(e => (e.OldState, e.NewState)));
    }

    [Fact]
    public async Task Server_sees_the_client_name()
    {
        await using var connection = await fixture.ConnectAsync();

        var connz = await fixture.Server.MonitorAsync("connz");

        Assert.Contains("\"name\": \"liveim-nats-tests\"", connz, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_first_server_falls_back_to_the_second()
    {
        var dead = $"nats://127.0.0.1:{FreePort.Next()}";
        await using var connection = new NatsConnection(TestOptions.For(dead, fixture.Url));

        await connection.ConnectAsync();

        Assert.Equal(fixture.Url, connection.ConnectedUrl);
    }

    [Fact]
    public async Task Connect_with_no_reachable_server_throws_after_trying_each_once()
    {
        var servers = new[] { $"nats://127.0.0.1:{FreePort.Next()}", $"127.0.0.1:{FreePort.Next()}" };
        await using var connection = new NatsConnection(TestOptions.For(servers));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<NatsException>(() => connection.ConnectAsync());

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        Assert.Contains(servers[0], error.Message, StringComparison.Ordinal);
        Assert.Equal(NatsConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Publish_before_connect_fails_fast_and_subscribe_before_connect_is_sent_on_connect()
    {
        await using var connection = new NatsConnection(TestOptions.For(fixture.Url));
        var received = new Received();

        await Assert.ThrowsAsync<NatsNotConnectedException>(async () => await connection.PublishAsync("early.pub", new byte[] { 1 }));
        await using var subscription = await connection.SubscribeAsync("early.sub", null, received.Handle);
        await connection.ConnectAsync();
        await connection.PublishAsync("early.sub", "x"u8.ToArray());

        await Eventually.TrueAsync(() => received.Count == 1, TimeSpan.FromSeconds(5), "the early subscription receives");
    }

    [Fact]
    public async Task Dispose_closes_the_connection_and_later_calls_fail_as_not_connected()
    {
        var events = new ConcurrentQueue<NatsConnectionStateChangedEventArgs>();
        var connection = await fixture.ConnectAsync();
        connection.StateChanged += (_, e) => events.Enqueue(e);

        await connection.DisposeAsync();
        await connection.DisposeAsync();

        Assert.Equal(NatsConnectionState.Closed, connection.State);
        Assert.Single(events, e => e.NewState == NatsConnectionState.Closed);
        await Assert.ThrowsAsync<NatsNotConnectedException>(async () => await connection.PublishAsync("after.dispose", default));
        await Assert.ThrowsAsync<NatsNotConnectedException>(() => connection.RequestAsync("after.dispose", default));
    }
}

public class AuthTests(AuthNatsServerFixture fixture) : IClassFixture<AuthNatsServerFixture>
{
    [Fact]
    public async Task User_and_password_from_options_are_accepted()
    {
        await using var connection = await fixture.ConnectAsync(o => o.With(user: "a", password: "b"));

        Assert.Equal(NatsConnectionState.Connected, connection.State);
        await connection.PingAsync();
    }

    [Fact]
    public async Task User_and_password_in_the_url_are_accepted()
    {
        var url = fixture.Url.Replace("nats://", "nats://a:b@", StringComparison.Ordinal);
        await using var connection = new NatsConnection(TestOptions.For(url));

        await connection.ConnectAsync();

        Assert.Equal(fixture.Url, connection.ConnectedUrl);
    }

    [Fact]
    public async Task Wrong_password_fails_connect_with_authorization_violation()
    {
        await using var connection = new NatsConnection(TestOptions.For(fixture.Url).With(user: "a", password: "wrong"));

        var error = await Assert.ThrowsAsync<NatsServerErrorException>(() => connection.ConnectAsync());

        Assert.Contains("Authorization Violation", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(NatsConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task Missing_credentials_fail_connect()
    {
        await using var connection = new NatsConnection(TestOptions.For(fixture.Url));

        await Assert.ThrowsAsync<NatsServerErrorException>(() => connection.ConnectAsync());
    }
}
