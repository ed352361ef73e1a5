using LiveIm.Hosting.Metrics;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.Stores.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The product's Redis connection for tests that look at Redis directly (TTLs, key names, commandstats): a
/// <see cref="RedisConnection"/> with a generous timeout, admin commands allowed (FLUSHALL, SCRIPT FLUSH, INFO).
/// </summary>
internal static class TestRedis
{
    /// <summary>A connected connection to <paramref name="configuration"/> (an endpoint or a configuration string).</summary>
    public static async Task<RedisConnection> ConnectAsync(string configuration, string name = "liveim-test", int timeoutMs = 10_000, BackendMetrics? metrics = null)
    {
        var connection = new RedisConnection(
            new RedisSettings { Configuration = configuration + ",allowAdmin=true", TimeoutMs = timeoutMs }, name, metrics ?? new BackendMetrics(),
            NullLoggerFactory.Instance);
        await connection.WaitConnectedAsync(TimeSpan.FromSeconds(10));
        return connection;
    }

    /// <summary>The room store on <paramref name="connection"/>, as RoomService builds it.</summary>
    public static RedisRoomStore Store(RedisConnection connection, RoomStoreOptions? options = null) =>
        new(connection, new RedisPresenceStore(connection), Options.Create(options ?? new RoomStoreOptions()), TimeProvider.System);

    /// <summary>Any command, straight to the library (no mapping of failures).</summary>
    public static Task<RedisResult> ExecuteAsync(this RedisConnection connection, string command, params object[] args) =>
        connection.Multiplexer!.GetDatabase().ExecuteAsync(command, args);
}
