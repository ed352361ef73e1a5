using LiveIm.Testing;
using Xunit;

namespace LiveIm.Redis.Tests.Support;

/// <summary>One real redis-server per test class (restart tests own theirs, so they never disturb others).</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public RedisServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await RedisServer.StartNewAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A connected client with test-friendly timings.</summary>
    public Task<RedisClient> ConnectAsync() => Clients.ConnectAsync(Clients.Options(Server.EndPoint));
}
