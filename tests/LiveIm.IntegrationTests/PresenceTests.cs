using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// Online counts: RoomService broadcasts one total to every gateway; a killed gateway process's viewers drop out
/// within the presence TTL, by expiry alone; <c>GET /api/rooms/{roomId}</c> says the same.
/// </summary>
[Collection(PresenceCollection.Name)]
public sealed class PresenceTests
{
    private readonly PresenceCluster _cluster;
    private readonly ITestOutputHelper _output;

    public PresenceTests(PresenceCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom() => "pres-" + Guid.NewGuid().ToString("N")[..10];

    private sealed record RoomInfo(string RoomId, long Online, int Gateways, long Seq, bool Live);

    private async Task<RoomInfo> InfoAsync(string room)
    {
        using var http = new HttpClient();
        return (await http.GetFromJsonAsync<RoomInfo>(new Uri(_cluster.RoomServiceUrl, "/api/rooms/" + room), JsonSerializerOptions.Web))!;
    }

    private static long? LastOnline(EventCollector events) => events.Events.LastOrDefault(e => e.Type == RoomEventTypes.Online)?.Online;

    [Fact]
    public async Task A_killed_gateway_process_stops_counting_within_the_ttl_on_every_survivor_and_in_room_info()
    {
        var room = NewRoom();
        await using var onA = await _cluster.ConnectAsync(0);
        await using var onB = await _cluster.ConnectAsync(1);
        var seenOnA = new EventCollector(onA);
        var seenOnB = new EventCollector(onB);
        await onA.JoinRoomAsync(room);
        await onB.JoinRoomAsync(room);
        var doomed = new List<RoomClient>();
        for (var i = 0; i < 3; i++)
        {
            var client = new RoomClient(new RoomClientOptions { GatewayUrl = _cluster.Doomed.Url });
            await client.ConnectAsync();
            await client.JoinRoomAsync(room);
            doomed.Add(client);
        }

        // 2 here + 3 on the doomed process: the same number reaches the members of both surviving gateways.
        await Eventually.TrueAsync(() => LastOnline(seenOnA) == 5 && LastOnline(seenOnB) == 5, TimeSpan.FromSeconds(10), "both gateways show 5 online");
        var before = await InfoAsync(room);
        Assert.Equal(new RoomInfo(room, 5, 3, 0, true), before);

        var killed = Stopwatch.StartNew();
        await _cluster.Doomed.StopAsync(); // SIGKILL: no leave, no report withdrawn
        await Eventually.TrueAsync(() => LastOnline(seenOnA) == 2 && LastOnline(seenOnB) == 2, TimeSpan.FromSeconds(20), "the survivors show 2 online");
        var dropped = killed.Elapsed;
        var after = await InfoAsync(room);
        _output.WriteLine($"online 5 -> 2 on both survivors {dropped.TotalSeconds:0.0} s after the kill (TTL {5 * PresenceCluster.IntervalSeconds} s, interval {PresenceCluster.IntervalSeconds} s); room info {after}");
        Assert.Equal(new RoomInfo(room, 2, 2, 0, true), after);

        // The report counts for the TTL (5 intervals) after its last write, then one broadcast pass sees it gone; the
        // last write was at most an interval before the kill. Generous slack for a loaded machine.
        Assert.True(dropped < TimeSpan.FromSeconds((5 + 2) * PresenceCluster.IntervalSeconds + 5), $"dropped after {dropped}");

        var onlineA = seenOnA.OfType(RoomEventTypes.Online).Select(e => e.Online);
        var onlineB = seenOnB.OfType(RoomEventTypes.Online).Select(e => e.Online);
        _output.WriteLine($"online events on A: {string.Join(",", onlineA)}; on B: {string.Join(",", onlineB)}");
        foreach (var client in doomed)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Join_returns_the_current_total_and_room_info_reports_it_with_seq_and_live()
    {
        var room = NewRoom();
        Assert.Equal(new RoomInfo(room, 0, 0, 0, false), await InfoAsync(room));
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("pres-streamer", Roles.Streamer, room));
        await using var viewer = await _cluster.ConnectAsync(1, _cluster.Token("pres-viewer"));
        Assert.Equal(1, (await streamer.JoinRoomAsync(room)).Online);
        await viewer.JoinRoomAsync(room);
        await viewer.SendGiftAsync("rose", 1, "g2");
        await viewer.SendGiftAsync("rose", 1, "g3");
        await Eventually.TrueAsync(async () => await InfoAsync(room) == new RoomInfo(room, 2, 2, 2, true), TimeSpan.FromSeconds(10), "room info: 2 online on 2 gateways, seq 2, live");

        // A third member joining after both reports sees them all.
        await using var late = await _cluster.ConnectAsync(2);
        Assert.Equal(3, (await late.JoinRoomAsync(room)).Online);
    }

    [Theory]
    [InlineData("bad.room")]
    [InlineData("bad%20room")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 65 characters
    public async Task Room_info_of_a_bad_room_id_is_400_invalid_room_with_a_coded_body(string roomId)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_cluster.RoomServiceUrl, "/api/rooms/" + roomId));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("invalid_room", body.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
    }
}
