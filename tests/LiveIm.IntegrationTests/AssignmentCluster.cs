using LiveIm.Core.Gateways;
using LiveIm.Core.Serialization;
using LiveIm.Core.Stores;
using LiveIm.Hosting.Redis;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// RoomService alone on its own NATS and Redis, no gateways: the assignment tests write the gateways' load reports
/// and presence into Redis themselves (what real gateways would write), so each test controls every figure.
/// </summary>
public sealed class AssignmentCluster : IAsyncLifetime
{
    private InProcessRoomService? _roomService;

    public NatsServer Nats { get; } = new();

    public RedisServer Redis { get; } = new();

    public RedisConnection Client { get; private set; } = null!;

    public Uri RoomServiceUrl { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        await Nats.StartAsync();
        await Redis.StartAsync();
        Client = await TestRedis.ConnectAsync(Redis.EndPoint);
        _roomService = await InProcessRoomService.StartAsync(Nats.Url, Redis.EndPoint, "assign");
        RoomServiceUrl = _roomService.Url;
    }

    public async Task DisposeAsync()
    {
        if (_roomService is not null)
        {
            await _roomService.DisposeAsync();
        }

        Http.Dispose();
        await Client.DisposeAsync();
        await Redis.DisposeAsync();
        await Nats.DisposeAsync();
    }

    /// <summary>Forgets every gateway (each test starts from none).</summary>
    public Task ResetAsync() => Client.ExecuteAsync("FLUSHALL");

    /// <summary>Writes a load report as a gateway's LoadReporter does, valid for <paramref name="ttl"/> (default 6 s).</summary>
    public async Task ReportAsync(GatewayLoadReport report, TimeSpan? ttl = null)
    {
        var ttlMs = (long)(ttl ?? TimeSpan.FromSeconds(6)).TotalMilliseconds;
        var expiry = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + ttlMs;
        await Client.ExecuteAsync("SET", RedisKeys.GatewayLoad(report.Id), System.Text.Json.JsonSerializer.Serialize(report, LiveImJson.Default.GatewayLoadReport), "PX", ttlMs);
        await Client.ExecuteAsync("ZADD", RedisKeys.GatewayIndex, expiry, report.Id);
    }

    /// <summary>Writes a gateway's presence count of a room as its PresenceReporter does.</summary>
    public Task PresenceAsync(string roomId, string gatewayId, int members) =>
        Client.ExecuteAsync("HSET", RedisKeys.PresenceCounts(roomId), gatewayId, members);

    /// <summary><c>GET /api/gateways/assign</c> with the raw query string.</summary>
    public async Task<(int Status, string Body, string? RetryAfter)> AssignAsync(string query)
    {
        using var response = await Http.GetAsync(new Uri(RoomServiceUrl, "/api/gateways/assign" + query));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.ToString());
    }
}

[CollectionDefinition(Name)]
public sealed class AssignmentCollection : ICollectionFixture<AssignmentCluster>
{
    public const string Name = "assignment";
}
