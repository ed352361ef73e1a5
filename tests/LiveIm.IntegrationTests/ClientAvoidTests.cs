using System.Diagnostics;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The .NET client's move after its gateway died: it learned the gateway's id from <c>JoinRoom</c> (its first
/// connection was made to a named URL, not through assignment), names it in <c>avoid=</c>, and is sent to a live
/// gateway at once, while the dead one's load report would still win the room for half a minute.
/// </summary>
[Collection(ResumePagingCollection.Name)]
public sealed class ClientAvoidTests
{
    private readonly ResumePagingCluster _cluster;

    public ClientAvoidTests(ResumePagingCluster cluster) => _cluster = cluster;

    [Fact]
    public async Task A_client_whose_gateway_was_killed_moves_to_a_live_one_at_once_though_assignment_still_offers_the_dead_one()
    {
        var room = "avoid-" + Guid.NewGuid().ToString("N")[..10];
        await using var client = new RoomClient(new RoomClientOptions
        {
            GatewayUrl = _cluster.Doomed.Url,
            RoomServiceUrl = _cluster.RoomServiceUrl,
            ReconnectOnDrop = true,
        });
        var moved = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnected += to => moved.TrySetResult(to);
        await client.ConnectAsync();
        var join = await client.JoinRoomAsync(room);
        Assert.Equal("gwDoomed", join.GatewayId);

        // Assignment gathers the room where its members are: on the doomed gateway, and it keeps doing so after the
        // kill while that gateway's report is fresh (30 s here).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.TrueAsync(async () => await AssignedAsync(http, room, avoid: null) == "gwDoomed", TimeSpan.FromSeconds(15), "assignment offers the room's gateway");

        await _cluster.Doomed.StopAsync(); // SIGKILL
        var clock = Stopwatch.StartNew();
        var to = await moved.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var took = clock.Elapsed;

        Assert.NotEqual(_cluster.Doomed.Url, to);
        // Its report is still fresh: with every other gateway avoided, assignment answers the dead one.
        Assert.Equal("gwDoomed", await AssignedAsync(http, room, avoid: "gwA&avoid=gwB&avoid=gwC"));
        Assert.True(took < TimeSpan.FromSeconds(10), $"the move took {took.TotalSeconds:0.0} s: the client did not avoid the dead gateway");
        Assert.True(client.IsConnected);
    }

    // The gateway assignment answers, or null while it answers none (503 before the gateways' first reports).
    private async Task<string?> AssignedAsync(HttpClient http, string room, string? avoid)
    {
        var query = "/api/gateways/assign?roomId=" + room + (avoid is null ? "" : "&avoid=" + avoid);
        using var response = await http.GetAsync(new Uri(_cluster.RoomServiceUrl, query));
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("gatewayId").GetString();
    }
}
