using System.Net.Http.Headers;
using System.Text;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Replay;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.Stores.Redis;
using LiveIm.RoomService.StreamClock;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The cluster with RoomService on a clock the tests move by hand (<see cref="ManualTimeProvider"/>), so stream clock
/// estimates and stamps are exact to the millisecond; the gateway's per-connection limits and the chat budget out of
/// the way (a simulated stream sends a report and an event every 500 ms of test time, in a fraction of that in real
/// time). A store on the same Redis reads the clock's state directly.
/// </summary>
public sealed class StreamClockCluster : LiveImCluster
{
    public StreamClockCluster()
        : base(new Dictionary<string, string?>(LimitsOutOfTheWay) { ["Chat:BudgetPerSecond"] = "0" })
    {
    }

    /// <summary>RoomService's clock.</summary>
    public ManualTimeProvider Clock { get; } = new();

    /// <summary>The room store on the cluster's Redis (reads only).</summary>
    public RedisRoomStore Store { get; private set; } = null!;

    /// <summary>Talks to RoomService's HTTP endpoints.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    private RedisConnection? _redis;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _redis = await TestRedis.ConnectAsync(Redis.EndPoint, "stream-clock-test");
        Store = new RedisRoomStore(
            _redis, new RedisPresenceStore(_redis), Options.Create(new RoomStoreOptions()), Clock, Options.Create(new StreamClockOptions()), Options.Create(new ReplayOptions()));
    }

    public override async Task DisposeAsync()
    {
        Http.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>Redis commands for the tests (MEMORY USAGE, ...).</summary>
    public RedisConnection RedisCommands => _redis!;

    /// <summary>A media server's report: <c>POST /api/rooms/{roomId}/stream-clock</c> with the raw <paramref name="body"/>.</summary>
    public async Task<(int Status, string Body)> PostClockAsync(string roomId, string body, string? token = ServiceToken, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(RoomServiceUrl, $"/api/rooms/{Uri.EscapeDataString(roomId)}/stream-clock"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary><c>GET /api/rooms/{roomId}/replay?{query}</c>.</summary>
    public async Task<(int Status, string Body)> GetReplayAsync(string roomId, string query)
    {
        using var response = await Http.GetAsync(new Uri(RoomServiceUrl, $"/api/rooms/{roomId}/replay?{query}"));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The room's clock as stored.</summary>
    public Task<ClockState?> ClockOf(string roomId) => Store.ReadClockAsync(roomId, CancellationToken.None);

    protected override void ConfigureRoomService(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<TimeProvider>(Clock);
}

[CollectionDefinition(Name)]
public sealed class StreamClockCollection : ICollectionFixture<StreamClockCluster>
{
    public const string Name = "stream-clock";
}
