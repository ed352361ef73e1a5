using LiveIm.Redis;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.Stores.Redis;
using LiveIm.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>A real redis-server of its own and the room store on it, for store-level tests without the cluster.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public RedisServer Server { get; } = new();

    public RedisClient Client { get; private set; } = null!;

    public RedisRoomStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        Client = new RedisClient(new RedisOptions { EndPoint = Server.EndPoint, CommandTimeout = TimeSpan.FromSeconds(10), ClientName = "liveim-store-test" });
        await Client.ConnectAsync();
        Store = new RedisRoomStore(Client, Options.Create(new RoomStoreOptions()), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}
