using System.Collections.Concurrent;
using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// RoomClient's own behaviour over the official SignalR client, against the whole system: a dropped connection
/// (cut by a proxy in front of gateway A) is resumed by lastSeq with every gift exactly once, by itself with
/// ReconnectOnDrop and by the caller without; a close the server forbids reconnecting from is not retried; refusals
/// and calls without a connection surface as LiveIm's own exceptions.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RoomClientConnectionTests
{
    private readonly LiveImCluster _cluster;
    private readonly ITestOutputHelper _output;

    public RoomClientConnectionTests(LiveImCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewRoom(string what) => what + "-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_client_whose_connection_drops_reconnects_by_itself_and_resumes_every_gift_exactly_once()
    {
        var room = NewRoom("drop-auto");
        await using var proxy = TcpCutProxy.Start(_cluster.Gateways[0]);
        await using var viewer = new RoomClient(new RoomClientOptions { GatewayUrl = proxy.Url, ReconnectOnDrop = true, SkipNegotiation = true });
        var received = new EventCollector(viewer);
        var reconnected = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.Reconnected += url => reconnected.TrySetResult(url);
        var closed = 0;
        viewer.Closed += _ =>
        {
            Interlocked.Increment(ref closed);
            return Task.CompletedTask;
        };
        await viewer.ConnectAsync();
        await viewer.JoinRoomAsync(room);

        await using var gifts = await GiftStream.StartAsync(_cluster, room);
        await gifts.WaitForAckedAsync(5);
        Assert.Equal(1, proxy.CutAll());
        var lastSeqAtCut = viewer.LastSeq;

        // Back through the same proxy (the only gateway this client knows), joined again after its lastSeq.
        Assert.Equal(proxy.Url, await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(viewer.IsConnected);
        await gifts.WaitForAckedAsync(gifts.Acked + 5);
        var expected = await gifts.StopAsync();
        _output.WriteLine($"cut at lastSeq {lastSeqAtCut}; {expected.Length} gifts acknowledged in all");

        await received.WaitForAsync(e => e.Count(x => x.Lane == Lane.Gift) >= expected.Length, "every acknowledged gift arrives", seconds: 10);
        Assert.Equal(expected, received.OfType("gift").Select(g => g.Seq!.Value).Order());
        Assert.Equal(expected.Length, viewer.LastSeq);
        Assert.Equal(0, Volatile.Read(ref closed));
    }

    [Fact]
    public async Task Without_ReconnectOnDrop_a_drop_raises_Closed_and_a_resume_on_the_same_client_gets_exactly_the_missed_gifts()
    {
        var room = NewRoom("drop-manual");
        await using var proxy = TcpCutProxy.Start(_cluster.Gateways[0]);
        await using var viewer = new RoomClient(new RoomClientOptions { GatewayUrl = proxy.Url });
        var received = new EventCollector(viewer);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        viewer.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };
        await viewer.ConnectAsync();
        await viewer.JoinRoomAsync(room);

        await using var gifts = await GiftStream.StartAsync(_cluster, room);
        await gifts.WaitForAckedAsync(5);
        proxy.CutAll();
        var reason = await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        _output.WriteLine($"closed by the cut: {reason?.GetType().Name}: {reason?.Message}");
        Assert.NotNull(reason);
        Assert.IsNotType<RoomClosedException>(reason); // a network failure, not a close message
        Assert.False(viewer.IsConnected);
        var error = await Assert.ThrowsAsync<RoomClientException>(() => viewer.SendLikeAsync(1));
        Assert.Equal(RoomClientException.Disconnected, error.Code);

        // Gifts go on while it is away; the same client connects again and resumes after what it had.
        await gifts.WaitForAckedAsync(gifts.Acked + 5);
        var lastSeq = viewer.LastSeq;
        await viewer.ConnectAsync();
        var join = await viewer.ResumeAsync(room, lastSeq);
        Assert.True(join.Recovered);
        var expected = await gifts.StopAsync();

        await received.WaitForAsync(e => e.Count(x => x.Lane == Lane.Gift) >= expected.Length, "every acknowledged gift arrives", seconds: 10);
        Assert.Equal(expected, received.OfType("gift").Select(g => g.Seq!.Value).Order());
    }

    [Fact]
    public async Task A_close_that_forbids_reconnecting_is_not_retried_even_with_ReconnectOnDrop()
    {
        var room = NewRoom("drop-ban");
        var trollId = "troll-" + room;
        await using var host = await _cluster.ConnectAsync(1, _cluster.Token("host-" + room, Roles.Streamer, room));
        await host.JoinRoomAsync(room);
        await using var troll = new RoomClient(new RoomClientOptions
        {
            GatewayUrl = _cluster.Gateways[0], AccessToken = _cluster.Token(trollId), ReconnectOnDrop = true,
        });
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        troll.Closed += ex =>
        {
            closed.TrySetResult(ex);
            return Task.CompletedTask;
        };
        var reconnects = 0;
        troll.Reconnected += _ => Interlocked.Increment(ref reconnects);
        await troll.ConnectAsync();
        await troll.JoinRoomAsync(room);

        await host.BanAsync(trollId);
        var reason = Assert.IsType<RoomClosedException>(await closed.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        _output.WriteLine($"closed: {reason.Message}");
        Assert.Equal("banned", reason.Code);
        await Task.Delay(1500); // longer than the first reconnect's jitter
        Assert.Equal(0, Volatile.Read(ref reconnects));
        Assert.False(troll.IsConnected);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_refused_connect_is_a_RoomConnectException_with_the_status(bool skipNegotiation)
    {
        await using var client = new RoomClient(new RoomClientOptions
        {
            GatewayUrl = _cluster.Gateways[0], AccessToken = "not.a.jwt", SkipNegotiation = skipNegotiation,
        });
        var error = await Assert.ThrowsAsync<RoomConnectException>(() => client.ConnectAsync());
        _output.WriteLine(error.Message);
        Assert.Equal(401, error.StatusCode);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task A_gateway_nobody_listens_on_is_a_RoomConnectException_without_a_status()
    {
        await using var client = new RoomClient(new RoomClientOptions { GatewayUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/"), SkipNegotiation = true });
        var error = await Assert.ThrowsAsync<RoomConnectException>(() => client.ConnectAsync());
        _output.WriteLine(error.Message);
        Assert.Null(error.StatusCode);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task A_call_before_connecting_is_disconnected_and_a_call_error_keeps_the_servers_code()
    {
        await using var client = new RoomClient(new RoomClientOptions { GatewayUrl = _cluster.Gateways[0] });
        var early = await Assert.ThrowsAsync<RoomClientException>(() => client.JoinRoomAsync("early"));
        Assert.Equal(RoomClientException.Disconnected, early.Code);

        await client.ConnectAsync();
        var invalid = await Assert.ThrowsAsync<RoomClientException>(() => client.JoinRoomAsync("no spaces allowed"));
        Assert.Equal("invalid_room", invalid.Code);
        Assert.StartsWith("invalid_room: ", invalid.Message, StringComparison.Ordinal);
        Assert.True(client.IsConnected);
    }

    /// <summary>A streamer on gateway B sending a gift every 50 ms, each retried with its clientMsgId until acknowledged.</summary>
    private sealed class GiftStream : IAsyncDisposable
    {
        private readonly RoomClient _streamer;
        private readonly ConcurrentBag<long> _acked = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _sending = Task.CompletedTask;

        private GiftStream(RoomClient streamer)
        {
            _streamer = streamer;
        }

        public int Acked => _acked.Count;

        public static async Task<GiftStream> StartAsync(LiveImCluster cluster, string room)
        {
            var streamer = await cluster.ConnectAsync(1, cluster.Token("st-" + room, Roles.Streamer, room));
            await streamer.JoinRoomAsync(room);
            var stream = new GiftStream(streamer);
            stream._sending = stream.SendAsync(room);
            return stream;
        }

        public Task WaitForAckedAsync(int count) =>
            Eventually.TrueAsync(() => _acked.Count >= count, TimeSpan.FromSeconds(15), $"{count} gifts acknowledged");

        /// <summary>Stops sending; the acknowledged seqs, which must be 1..n.</summary>
        public async Task<long[]> StopAsync()
        {
            await _stop.CancelAsync();
            await _sending;
            var seqs = _acked.Order().ToArray();
            Assert.Equal(Enumerable.Range(1, seqs.Length).Select(i => (long)i), seqs);
            return seqs;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sending;
            await _streamer.DisposeAsync();
            _stop.Dispose();
        }

        private async Task SendAsync(string room)
        {
            for (var i = 0; !_stop.IsCancellationRequested; i++)
            {
                while (true)
                {
                    try
                    {
                        _acked.Add((await _streamer.SendGiftAsync("rose", 1, $"{room}-gift-{i}")).Seq);
                        break;
                    }
                    catch (RoomClientException)
                    {
                        await Task.Delay(50); // same clientMsgId: never twice
                    }
                }

                try
                {
                    await Task.Delay(50, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
