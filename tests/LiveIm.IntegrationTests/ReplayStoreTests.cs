using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LiveIm.Client.Replay;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Serialization;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Stores;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The replay store at size: 100,000 events of one epoch (chat, likes, gifts, in groups of equal streamTs), written
/// through the store's own stamping scripts, then read back through the HTTP API in pages of 200 and 1,000 and in a
/// filtered window: exactly the window's events, in (streamTs, id) order, none skipped or repeated. Prints per-page
/// latency and Redis memory per 1,000 events (docs/replay-performance.md).
/// </summary>
[Collection(StreamClockCollection.Name)]
public sealed class ReplayStoreTests
{
    private const int Events = 100_000;

    private readonly StreamClockCluster _cluster;
    private readonly ITestOutputHelper _output;

    public ReplayStoreTests(StreamClockCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    [Fact]
    public async Task Replay_of_100000_events_returns_exactly_the_window_in_stream_order_across_pages()
    {
        var room = "bulk-" + Guid.NewGuid().ToString("N")[..10];
        var store = _cluster.Store;

        // The clock: stream time 0 at t0, so an event stamped at t0 + x gets streamTs x (no delay: the store-level
        // arithmetic is the first test's subject). Events three to a stream ms, 8 ms apart: 266 s of stream, inside
        // StreamClock:StaleAfter of the one report.
        var t0 = _cluster.Clock.NowMs;
        var clock = await store.ReportClockAsync(room, 0, t0, CancellationToken.None);
        var head = RoomEventJson.Head(room);
        var written = Stopwatch.StartNew();
        var jsonBytes = 0L;
        var next = -1;
        var workers = Enumerable.Range(0, 32).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Events)
            {
                var now = t0 + ((i / 3) * 8L);
                var json = await AppendAsync(store, room, head, i, now);
                Interlocked.Add(ref jsonBytes, json.Length);
            }
        });
        await Task.WhenAll(workers);
        written.Stop();

        var key = RedisKeys.Replay(room, clock.Epoch);
        var count = (long)await _cluster.RedisCommands.ExecuteAsync("ZCARD", key);
        var memory = (long)await _cluster.RedisCommands.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0");
        Assert.Equal(Events, count);
        _output.WriteLine(
            $"wrote {Events} events in {written.Elapsed.TotalSeconds:0.0} s ({Events / written.Elapsed.TotalSeconds:0} events/s through the stamping scripts); "
            + $"average JSON {jsonBytes / (double)Events:0} bytes; MEMORY USAGE {memory / 1024.0 / 1024.0:0.0} MiB = {memory / (Events / 1000.0) / 1024.0:0.0} KiB per 1,000 events");

        // Everything, in pages of 1,000 and of 200: the same 100,000 events, in (streamTs, id) order. A first pass
        // warms up (JIT, connection pools) and is not reported.
        List<RoomEvent>? previous = null;
        foreach (var pageSize in new[] { 1000, 1000, 200 })
        {
            var (events, latencies) = await ReadAllAsync(room, clock.Epoch, 0, long.MaxValue, pageSize, null);
            Assert.Equal(Events, events.Count);
            Assert.Equal(Events, events.Select(e => e.Id).Distinct().Count());
            for (var i = 1; i < events.Count; i++)
            {
                var (a, b) = (events[i - 1], events[i]);
                Assert.True(a.StreamTs < b.StreamTs || (a.StreamTs == b.StreamTs && a.Id < b.Id), $"order at {i}: {a.Id}@{a.StreamTs} then {b.Id}@{b.StreamTs}");
            }

            if (previous is not null)
            {
                Assert.Equal(previous.Select(e => e.Id), events.Select(e => e.Id));
            }

            if (previous is not null)
            {
                Report($"page {pageSize}, whole epoch", latencies);
            }

            previous = events;
        }

        // The same pages read from the store alone (Redis round trip, no HTTP, no JSON parse): what the endpoint adds.
        foreach (var pageSize in new[] { 1000, 200 })
        {
            var latencies = new List<double>();
            var total = 0;
            long? after = null;
            do
            {
                var watch = Stopwatch.StartNew();
                var slice = await store.ReadReplayAsync(room, clock.Epoch, 0, long.MaxValue, after, pageSize, null, CancellationToken.None);
                latencies.Add(watch.Elapsed.TotalMilliseconds);
                total += slice.Events.Count;
                after = slice.NextAfter;
            }
            while (after is not null);

            Assert.Equal(Events, total);
            Report($"page {pageSize}, whole epoch, store only", latencies, "ReadReplayAsync");
        }

        // A window with equal streamTs at both ends, gifts and likes only, pages of 50.
        var (fromMs, toMs) = (80_000L, 120_000L);
        var lanes = new[] { Lane.Gift, Lane.Like };
        var expected = previous!.Where(e => e.StreamTs >= fromMs && e.StreamTs <= toMs && lanes.Contains(e.Lane)).Select(e => e.Id).ToList();
        var (window, windowLatencies) = await ReadAllAsync(room, clock.Epoch, fromMs, toMs, 50, lanes);
        Assert.Equal(expected, window.Select(e => e.Id).ToList());
        Report("page 50, window of 40 s, lanes gift+like", windowLatencies);

        // Gifts only (10 % of the epoch) in pages of 1,000: a page may stop at the scan budget with fewer events and a
        // cursor; following the cursors gives every gift, once, in order.
        var (gifts, giftLatencies) = await ReadAllAsync(room, clock.Epoch, 0, long.MaxValue, 1000, [Lane.Gift]);
        Assert.Equal(previous!.Where(e => e.Lane == Lane.Gift).Select(e => e.Id), gifts.Select(e => e.Id));
        Report("page 1000, whole epoch, lane gift (10 %)", giftLatencies);

        // The .NET fetcher gives the same window.
        var fetched = await new ReplayClient(_cluster.Http, _cluster.RoomServiceUrl, room).FetchAsync(clock.Epoch, fromMs, toMs, lanes, CancellationToken.None);
        Assert.Equal(expected, fetched.Select(e => e.Id).ToList());
    }

    // A typical mix: 60 % chat lines (20-60 characters), 30 % likes, 10 % gifts, from users with realistic ids.
    private static async Task<byte[]> AppendAsync(RoomService.Stores.Redis.RedisRoomStore store, string room, byte[] head, int i, long now)
    {
        var from = new EventSender("user-" + (i % 5000).ToString("D6", CultureInfo.InvariantCulture), "Viewer " + (i % 5000), Roles.Viewer);
        switch (i % 10)
        {
            case < 6:
            {
                var text = "message number " + i + new string('!', i % 40);
                var e = new RoomEvent { RoomId = room, Lane = Lane.Chat, Type = RoomEventTypes.Chat, From = from, Text = text, ServerTs = now };
                var admitted = await store.AdmitChatAsync(room, from.UserId, true, now, now / 1000, 0, 0, new EventDraft(head, RoomEventJson.OpenTail(e)), CancellationToken.None);
                return admitted.Json!;
            }

            case < 9:
            {
                var e = new RoomEvent { RoomId = room, Lane = Lane.Like, Type = RoomEventTypes.Likes, From = from, Likes = 1 + (i % 7), ServerTs = now };
                return (await store.AppendLikeAsync(room, from.UserId, false, new EventDraft(head, RoomEventJson.OpenTail(e)), now, CancellationToken.None))!.Json;
            }

            default:
            {
                var e = new RoomEvent
                {
                    RoomId = room, Lane = Lane.Gift, Type = RoomEventTypes.Gift, From = from, Gift = new GiftInfo("rose", 1 + (i % 3)), ServerTs = now,
                };
                return (await store.AppendReliableAsync(room, new EventDraft(head, RoomEventJson.OpenTail(e)), null, null, CancellationToken.None)).Json;
            }
        }
    }

    private async Task<(List<RoomEvent> Events, List<double> LatenciesMs)> ReadAllAsync(
        string room, long epoch, long fromMs, long toMs, int limit, string[]? lanes)
    {
        var events = new List<RoomEvent>();
        var latencies = new List<double>();
        string? cursor = null;
        do
        {
            var query = $"epoch={epoch}&fromMs={fromMs}&limit={limit}" + (toMs == long.MaxValue ? string.Empty : $"&toMs={toMs}")
                + (cursor is null ? string.Empty : "&cursor=" + Uri.EscapeDataString(cursor))
                + (lanes is null ? string.Empty : "&lane=" + string.Join(',', lanes));
            var watch = Stopwatch.StartNew();
            var (status, body) = await _cluster.GetReplayAsync(room, query);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(200, status);
            var page = JsonSerializer.Deserialize(body, LiveImJson.Default.ReplayPage)!;
            Assert.True(page.Events.Length <= limit);
            events.AddRange(page.Events);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return (events, latencies);
    }

    private void Report(string what, List<double> latencies, string call = "HTTP GET")
    {
        var sorted = latencies.Order().ToArray();
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        _output.WriteLine($"{what}: {sorted.Length} pages, {call} p50 {At(0.50):0.00} ms, p99 {At(0.99):0.00} ms, max {sorted[^1]:0.00} ms");
    }
}
