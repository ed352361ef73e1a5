using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Stores.Redis;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>A real redis-server of its own and the room store on it, for store-level tests without the cluster.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; } = new();

    public RedisConnection Client { get; private set; } = null!;

    public RedisRoomStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Client = await TestRedis.ConnectAsync(Server.EndPoint, "liveim-store-test");
        Store = TestRedis.Store(Client);
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
