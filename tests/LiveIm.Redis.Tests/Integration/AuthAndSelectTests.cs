using LiveIm.Redis.Tests.Support;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.Redis.Tests.Integration;

public sealed class AuthAndSelectTests : IAsyncLifetime
{
    private const string Password = "s3cret pass";
    private RedisServer _server = null!;

    public async Task InitializeAsync() => _server = await RedisServer.StartNewAsync("--requirepass", Password);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_right_password_authenticates()
    {
        await using var client = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, password: Password));
        await client.PingAsync();
    }

    [Fact]
    public async Task An_acl_user_with_its_password_authenticates()
    {
        await using var client = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, password: Password, user: "default"));
        Assert.Equal("default", (await client.ExecuteAsync("ACL", "WHOAMI")).AsString());
    }

    [Fact]
    public async Task A_wrong_password_fails_connect_at_once_with_the_server_reason()
    {
        await using var client = new RedisClient(Clients.Options(_server.EndPoint, password: "wrong"));
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ConnectAsync());

        var reason = Assert.IsType<RedisServerException>(ex.InnerException);
        Assert.Equal("WRONGPASS", reason.Prefix);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "a refused password is not retried");
        Assert.Equal(RedisConnectionState.Disconnected, client.State);
        await Assert.ThrowsAsync<RedisConnectionException>(() => client.PingAsync());
    }

    [Fact]
    public async Task No_password_against_a_protected_server_fails_connect_with_noauth()
    {
        await using var client = new RedisClient(Clients.Options(_server.EndPoint));
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => client.ConnectAsync());
        Assert.Equal("NOAUTH", Assert.IsType<RedisServerException>(ex.InnerException).Prefix);
    }

    [Fact]
    public async Task The_selected_database_is_isolated_from_database_zero()
    {
        var key = Clients.Key("db");
        await using var db3 = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, password: Password, database: 3));
        await using var db0 = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, password: Password));

        await db3.SetAsync(key, "in three");
        Assert.True((await db0.GetAsync(key)).IsNull);
        Assert.Equal("in three", (await db3.GetAsync(key)).AsString());
    }

    [Fact]
    public async Task Auth_select_and_client_name_are_redone_after_a_restart()
    {
        var key = Clients.Key("redo");
        await using var client = await Clients.ConnectAsync(
            Clients.Options(_server.EndPoint, password: Password, database: 2, clientName: "redo-me"));

        await _server.RestartAsync(TimeSpan.FromMilliseconds(50));
        await Eventually.TrueAsync(() => client.State == RedisConnectionState.Connected, TimeSpan.FromSeconds(10), "the client reconnects");

        // Without AUTH this would fail with NOAUTH; without SELECT the key would land in database 0.
        await client.SetAsync(key, "v");
        await using var db0 = await Clients.ConnectAsync(Clients.Options(_server.EndPoint, password: Password));
        Assert.True((await db0.GetAsync(key)).IsNull);
        Assert.Equal("v", (await client.GetAsync(key)).AsString());
        Assert.Equal("redo-me", (await client.ExecuteAsync("CLIENT", "GETNAME")).AsString());
    }
}
