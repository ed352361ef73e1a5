using System.Diagnostics;
using System.Text;
using LiveIm.Nats.Tests.Infrastructure;

namespace LiveIm.Nats.Tests.Integration;

public class RequestReplyTests(NatsServerFixture fixture) : IClassFixture<NatsServerFixture>
{
    [Fact]
    public async Task Request_gets_the_responders_reply()
    {
        await using var requester = await fixture.ConnectAsync();
        await using var responder = await fixture.ConnectAsync();
        await using var service = await responder.SubscribeAsync("rr.echo", "svc", async msg =>
            await responder.PublishAsync(msg.ReplyTo!, Encoding.UTF8.GetBytes("re:" + Encoding.UTF8.GetString(msg.Data.Span)), headers: msg.Headers));
        await responder.FlushAsync();

        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            requester.RequestAsync("rr.echo", Encoding.UTF8.GetBytes($"q{i}"), headers: new NatsHeaders { { "N", $"{i}" } })));

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"re:q{i}", Encoding.UTF8.GetString(replies[i].Data.Span));
            Assert.Equal($"{i}", replies[i].Headers!["N"]);
        }
    }

    [Fact]
    public async Task Request_without_subscriber_fails_fast_with_no_responders()
    {
        await using var connection = await fixture.ConnectAsync();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<NatsNoRespondersException>(() => connection.RequestAsync("rr.nobody", "x"u8.ToArray(), TimeSpan.FromSeconds(5)));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Request_to_a_silent_subscriber_times_out()
    {
        await using var connection = await fixture.ConnectAsync();
        await using var silent = await connection.SubscribeAsync("rr.silent", null, _ => default);
        await connection.FlushAsync();
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAsync<NatsRequestTimeoutException>(() => connection.RequestAsync("rr.silent", default, TimeSpan.FromMilliseconds(200)));

        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(2));
        Assert.Equal(NatsConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task Cancelled_request_throws_operation_cancelled()
    {
        await using var connection = await fixture.ConnectAsync();
        await using var silent = await connection.SubscribeAsync("rr.cancel", null, _ => default);
        await connection.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.RequestAsync("rr.cancel", default, TimeSpan.FromSeconds(5), cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Ping_measures_a_round_trip()
    {
        await using var connection = await fixture.ConnectAsync();

        var rtts = new List<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            rtts.Add(await connection.PingAsync());
        }

        Assert.All(rtts, rtt => Assert.InRange(rtt, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        Assert.Contains(rtts, rtt => rtt > TimeSpan.Zero);
    }

    [Fact]
    public async Task Concurrent_pings_all_complete()
    {
        await using var connection = await fixture.ConnectAsync();

        var rtts = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => connection.PingAsync()));

        Assert.Equal(100, rtts.Length);
    }
}
