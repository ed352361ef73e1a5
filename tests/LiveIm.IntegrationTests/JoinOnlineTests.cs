using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Core.Bus;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Identity;
using LiveIm.Core.Serialization;
using LiveIm.Hosting.Redis;
using LiveIm.RoomGateway.Presence;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <c>JoinRoom</c>'s <c>online</c> is the room's total over every gateway at the join, the joiner included, without
/// waiting for a presence report (10 s apart here): a join records its gateway's fresh count in the join's own
/// presence call, a leave is written by the gateway at once, and RoomService refuses a local count no gateway can
/// have. <c>GET /api/rooms/{roomId}</c> reads the same reports as the broadcast.
/// </summary>
[Collection(JoinOnlineCollection.Name)]
public sealed class JoinOnlineTests
{
    private readonly JoinOnlineCluster _cluster;
    private readonly ITestOutputHelper _output;

    public JoinOnlineTests(JoinOnlineCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom() => "jo-" + Guid.NewGuid().ToString("N")[..10];

    private sealed record RoomInfo(string RoomId, long Online, int Gateways, long Seq, bool Live);

    private async Task<RoomInfo> InfoAsync(string room)
    {
        using var http = new HttpClient();
        return (await http.GetFromJsonAsync<RoomInfo>(new Uri(_cluster.RoomServiceUrl, "/api/rooms/" + room), JsonSerializerOptions.Web))!;
    }

    // Long enough for a gateway's throttled write of a room to have gone out, far below the 10 s report interval.
    private static Task PastTheWriteWindowAsync() => Task.Delay(PresenceWrites.WriteEveryMs * 4);

    [Fact]
    public async Task A_join_counts_the_members_of_every_gateway_and_itself_at_once()
    {
        var room = NewRoom();
        await using var first = await _cluster.ConnectAsync(0);
        await using var second = await _cluster.ConnectAsync(1);
        await using var third = await _cluster.ConnectAsync(0);
        Assert.Equal(1, (await first.JoinRoomAsync(room)).Online);
        Assert.Equal(2, (await second.JoinRoomAsync(room)).Online);  // the first, on the other gateway, is counted
        Assert.Equal(3, (await third.JoinRoomAsync(room)).Online);   // both others, one of them on this gateway

        // The third join most likely came within a quarter second of the first on its gateway, and then it was not
        // recorded by its own request: the gateway writes it at the end of that window, long before its next report.
        await Eventually.TrueAsync(async () => (await InfoAsync(room)).Online == 3, TimeSpan.FromSeconds(2), "room info says 3 within the write window");
        Assert.Equal(new RoomInfo(room, 3, 2, 0, true), await InfoAsync(room));

        await using var fourth = await _cluster.ConnectAsync(2);
        Assert.Equal(4, (await fourth.JoinRoomAsync(room)).Online);
        Assert.Equal(new RoomInfo(room, 4, 3, 0, true), await InfoAsync(room));
    }

    [Fact]
    public async Task A_viewer_who_resumes_is_counted_once_on_the_same_connection_and_on_another_gateway()
    {
        var room = NewRoom();
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token("jo-host-" + room, Roles.Streamer, room));
        Assert.Equal(1, (await streamer.JoinRoomAsync(room)).Online);
        var viewerToken = _cluster.Token("jo-viewer-" + room);
        var viewer = await _cluster.ConnectAsync(1, viewerToken);
        Assert.Equal(2, (await viewer.JoinRoomAsync(room)).Online);
        var gift = await streamer.SendGiftAsync("rose", 1, "jo-g1");

        // Joining again on the same connection (with lastSeq) leaves and rejoins: still two.
        var again = await viewer.JoinRoomAsync(room, gift.Seq);
        Assert.Equal(2, again.Online);

        // The viewer drops and resumes on another gateway: the old gateway withdrew it when the connection closed.
        await PastTheWriteWindowAsync();
        await viewer.DisposeAsync();

        // The old gateway's handling of the closed socket, however long a loaded machine makes it (a fixed 100 ms was
        // not always enough in a full suite run): its withdrawal shows in the room's count before the viewer resumes.
        await Eventually.TrueAsync(async () => await InfoAsync(room) is { Online: 1, Gateways: 1 }, TimeSpan.FromSeconds(10), "the old gateway withdrew the viewer");
        await using var back = await _cluster.ConnectAsync(2, viewerToken);
        var resumed = await back.JoinRoomAsync(room, gift.Seq);
        _output.WriteLine($"resumed on another gateway: {resumed}");
        Assert.True(resumed.Recovered);
        Assert.Equal(2, resumed.Online);
        Assert.Equal(new RoomInfo(room, 2, 2, 1, true), await InfoAsync(room));
    }

    [Fact]
    public async Task A_forged_join_with_a_local_count_no_gateway_can_have_is_refused_and_writes_nothing()
    {
        var room = NewRoom();
        await using var member = await _cluster.ConnectAsync(0);
        Assert.Equal(1, (await member.JoinRoomAsync(room)).Online);
        await PastTheWriteWindowAsync();
        var before = await InfoAsync(room);
        Assert.Equal(new RoomInfo(room, 1, 1, 0, true), before);

        await using var bus = await TestBus.ConnectAsync(_cluster.Nats.Url, "test-join-forger");
        var gateways = new[] { "gwA", "gwB", "forged-gateway" };
        var counts = new[] { "0", "-1", "-9223372036854775808", "10000001", "9223372036854775807", "1.5", "1e3", "\"-1\"", "\"x\"", "true", "{}", "[]",
            "99999999999999999999999", "1e400" };
        foreach (var gateway in gateways)
        {
            foreach (var count in counts)
            {
                var json = $"{{\"roomId\":\"{room}\",\"lastSeq\":null,\"gatewayId\":\"{gateway}\",\"from\":null,\"localOnline\":{count}}}";
                var error = await JoinErrorAsync(bus, json);
                _output.WriteLine($"localOnline {count} from {gateway} -> {error?.Code}: {error?.Message}");
                Assert.Equal("invalid_argument", error?.Code);
            }
        }

        // A count with no gateway to file it under.
        foreach (var gateway in new[] { "\"\"", "null" })
        {
            var json = $"{{\"roomId\":\"{room}\",\"lastSeq\":null,\"gatewayId\":{gateway},\"from\":null,\"localOnline\":5}}";
            Assert.Equal("invalid_argument", (await JoinErrorAsync(bus, json))?.Code);
        }

        Assert.Equal(before, await InfoAsync(room));

        // A request without the field (a gateway of an earlier version) still joins, and records nothing.
        var plain = $"{{\"roomId\":\"{room}\",\"lastSeq\":null,\"gatewayId\":\"gwB\",\"from\":null}}";
        var reply = JsonSerializer.Deserialize(
            (await bus.RequestAsync(Subjects.Join, Encoding.UTF8.GetBytes(plain), TimeSpan.FromSeconds(5))).Span, LiveImJson.Default.BusReplyJoinReply)!;
        Assert.Null(reply.Error);
        Assert.Equal(1, reply.Result!.OnlineElsewhere);
        Assert.Equal(before, await InfoAsync(room));

        // And a real member joining elsewhere is counted as usual.
        await using var other = await _cluster.ConnectAsync(1);
        Assert.Equal(2, (await other.JoinRoomAsync(room)).Online);
    }

    [Fact]
    public async Task A_join_storm_into_one_room_writes_the_gateways_count_a_few_times_not_once_per_join()
    {
        const int joiners = 100;
        var room = NewRoom();
        var clients = new List<RoomClient>();
        for (var i = 0; i < joiners; i++)
        {
            clients.Add(await _cluster.ConnectAsync(0));
        }

        // HSET runs only in presence writes here (no gifts, no chat budget), inside the scripts: one per write.
        await using var redis = await TestRedis.ConnectAsync(_cluster.Redis.EndPoint, "test-join-storm");
        var before = await CallsAsync(redis, "hset");
        var watch = Stopwatch.StartNew();
        var joined = await Task.WhenAll(clients.Select(c => c.JoinRoomAsync(room)));
        var tookMs = watch.ElapsedMilliseconds;
        await Eventually.TrueAsync(async () => (await InfoAsync(room)).Online == joiners, TimeSpan.FromSeconds(3), "room info counts every joiner");
        var writes = await CallsAsync(redis, "hset") - before;
        _output.WriteLine($"{joiners} joins in {tookMs} ms: {writes} presence writes; online in the replies {joined.Min(j => j.Online)}..{joined.Max(j => j.Online)}");

        // The first join's record, then at most one write per quarter second of the storm and the one after it, plus
        // a periodic report that may fall in it: never one per join.
        Assert.InRange(writes, 1, (tookMs / PresenceWrites.WriteEveryMs) + 3);
        Assert.True(writes < joiners / 2, $"{writes} writes for {joiners} joins");
        Assert.Equal(joiners, joined.Max(j => j.Online));
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }

    private static async Task<long> CallsAsync(RedisConnection redis, string command)
    {
        var info = (string?)await redis.ExecuteAsync("INFO", "commandstats") ?? string.Empty;
        var line = info.Split('\n').FirstOrDefault(l => l.StartsWith("cmdstat_" + command + ":", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split("calls=")[1].Split(',')[0], CultureInfo.InvariantCulture);
    }

    private static async Task<BusError?> JoinErrorAsync(TestBus bus, string json)
    {
        var raw = await bus.RequestAsync(Subjects.Join, Encoding.UTF8.GetBytes(json), TimeSpan.FromSeconds(5));
        var reply = JsonSerializer.Deserialize(raw.Span, LiveImJson.Default.BusReplyJoinReply)!;
        Assert.Null(reply.Result);
        return reply.Error;
    }
}
