using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LiveIm.Client;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>The whole system with two RoomService instances sharing the request queue group (they race to the bus).</summary>
public sealed class TwoRoomServicesCluster : LiveImCluster
{
    protected override int RoomServiceCount => 2;
}

[CollectionDefinition(Name)]
public sealed class TwoRoomServicesCollection : ICollectionFixture<TwoRoomServicesCluster>
{
    public const string Name = "two-roomservices";
}

/// <summary>
/// The reliable lane's promise on one connection: each seq at most once, in seq order, contiguous after the join,
/// whatever interleaving of the join (fresh or with lastSeq), the room's pending tick, repair reads and live events,
/// while gifts flow at more than 100/s from many users through two RoomService instances.
/// </summary>
[Collection(TwoRoomServicesCollection.Name)]
public sealed class ExactlyOnceInOrderTests(TwoRoomServicesCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan SendFor = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Every_connection_gets_each_gift_once_in_seq_order_through_hundreds_of_resumes_and_joins_at_over_100_gifts_per_second()
    {
        var room = "eo-" + Guid.NewGuid().ToString("N")[..8];
        var acked = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource();

        // Viewers that stay for the whole run, one per gateway: they must end with every acknowledged gift once.
        var watchers = new List<Probe>();
        for (var g = 0; g < cluster.Gateways.Length; g++)
        {
            watchers.Add(await Probe.JoinAsync(cluster.Gateways[g], cluster.Token($"watch{g}"), room, lastSeq: null, CancellationToken.None));
        }

        var watching = watchers.Select(w => w.ReadUntilAsync(stop.Token)).ToList();

        // Twelve senders on the three gateways, ~10 gifts/s each, many in flight at once across RoomService instances.
        var senders = new List<RoomClient>();
        for (var i = 0; i < 12; i++)
        {
            var client = await cluster.ConnectAsync(i % 3, cluster.Token($"sender{i}"));
            await client.JoinRoomAsync(room);
            senders.Add(client);
        }

        var clock = Stopwatch.StartNew();
        var failures = 0;
        var sending = senders.Select((client, i) => Task.Run(async () =>
        {
            var n = 0;
            var due = TimeSpan.FromMilliseconds(i * 7);
            while (clock.Elapsed < SendFor)
            {
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                due += TimeSpan.FromMilliseconds(100);
                var id = $"s{i}-{n++}";
                for (var attempt = 0; attempt < 5; attempt++)
                {
                    try
                    {
                        var result = await client.SendGiftAsync("rose", 1, id);
                        acked[result.Seq] = id;
                        break;
                    }
                    catch (RoomClientException)
                    {
                        Interlocked.Increment(ref failures); // retried with the same clientMsgId
                    }
                }
            }
        })).ToList();

        // Resumers: connect, join (with a recent lastSeq, or fresh one time in four), read a little, drop; again.
        var sessions = new ConcurrentBag<Session>();
        var resuming = Enumerable.Range(0, 12).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            while (clock.Elapsed < SendFor)
            {
                var top = acked.IsEmpty ? 0 : acked.Keys.Max();
                long? lastSeq = random.Next(4) == 0 ? null : Math.Max(0, top - random.Next(0, 40));
                await using var probe = await Probe.JoinAsync(cluster.Gateways[r % 3], cluster.Token($"resumer{r}"), room, lastSeq, CancellationToken.None);
                using var window = new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(80, 400)));
                await probe.ReadUntilAsync(window.Token);
                sessions.Add(new Session(probe.Gateway, lastSeq, probe.Join, probe.Seqs.ToList()));
            }
        })).ToList();

        await Task.WhenAll(sending);
        await Task.WhenAll(resuming);
        var top = acked.Keys.Max();
        await Eventually.TrueAsync(() => watchers.All(w => w.Seqs.Count > 0 && w.Seqs[^1] >= top), TimeSpan.FromSeconds(15), "every watcher reaches the last acknowledged gift");
        await stop.CancelAsync();
        await Task.WhenAll(watching);

        var rate = acked.Count / SendFor.TotalSeconds;
        var reordered = 0.0;
        foreach (var gateway in cluster.Gateways)
        {
            reordered += (await GatewayMetrics.ScrapeAsync(gateway)).Get("liveim_gateway_reliable_early_total");
        }

        output.WriteLine($"{acked.Count} gifts acknowledged ({rate:0} /s, {failures} retries), {sessions.Count} joins " +
            $"({sessions.Count(s => s.LastSeq is not null)} with lastSeq), {reordered} reliable events reached a gateway ahead of a lower seq");

        Assert.True(rate >= 100, $"the gift stream ran at {rate:0}/s, below the 100/s this test needs");
        Assert.True(sessions.Count >= 200, $"only {sessions.Count} joins");
        var problems = new List<string>();
        foreach (var s in sessions)
        {
            var start = s.LastSeq is { } last && s.Join.Recovered ? last + 1 : (long?)null;
            if (Check(s.Seqs, start) is { } problem)
            {
                problems.Add($"{s.Gateway} join(lastSeq {s.LastSeq?.ToString(CultureInfo.InvariantCulture) ?? "null"}) -> seq {s.Join.Seq}, recovered {s.Join.Recovered}: {problem}");
            }
        }

        foreach (var w in watchers)
        {
            if (Check(w.Seqs, null) is { } problem)
            {
                problems.Add($"watcher on {w.Gateway}: {problem}");
            }

            var missing = acked.Keys.Where(seq => seq >= w.Seqs[0] && !w.Seqs.Contains(seq)).Take(5).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"watcher on {w.Gateway} lacks acknowledged gifts {string.Join(",", missing)}");
            }

            var first = acked.Keys.Min();
            if (w.Seqs[0] > first)
            {
                problems.Add($"watcher on {w.Gateway} joined before the first gift yet starts at seq {w.Seqs[0]} > {first}");
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} of {sessions.Count + watchers.Count} connections broke the promise:\n" + string.Join("\n", problems.Take(15)));

        foreach (var w in watchers)
        {
            await w.DisposeAsync();
        }

        foreach (var client in senders)
        {
            await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Through_a_nats_restart_and_a_redis_pause_every_watcher_ends_with_each_acknowledged_gift_once_in_order()
    {
        var room = "eo-fault-" + Guid.NewGuid().ToString("N")[..8];
        var acked = new ConcurrentDictionary<long, string>();
        using var stop = new CancellationTokenSource();
        var watchers = new List<Probe>();
        for (var g = 0; g < cluster.Gateways.Length; g++)
        {
            watchers.Add(await Probe.JoinAsync(cluster.Gateways[g], cluster.Token($"fwatch{g}"), room, lastSeq: null, CancellationToken.None));
        }

        var watching = watchers.Select(w => w.ReadUntilAsync(stop.Token)).ToList();
        var senders = new List<RoomClient>();
        for (var i = 0; i < 10; i++)
        {
            var client = await cluster.ConnectAsync(i % 3, cluster.Token($"fsender{i}"));
            await client.JoinRoomAsync(room);
            senders.Add(client);
        }

        // Ten senders, a gift each every 100 ms plus its round trip, for 10 s; a refused or timed-out gift is retried
        // with the same clientMsgId until it is acknowledged (what the SDKs do), so every gift ends acknowledged once.
        var clock = Stopwatch.StartNew();
        var retries = 0;
        var sending = senders.Select((client, i) => Task.Run(async () =>
        {
            var n = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                var id = $"f{i}-{n++}";
                for (var attempt = 0; attempt < 100; attempt++)
                {
                    try
                    {
                        var result = await client.SendGiftAsync("rose", 1, id);
                        acked[result.Seq] = id;
                        break;
                    }
                    catch (RoomClientException)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(100);
                    }
                }

                await Task.Delay(100);
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(3));
        await cluster.Nats.RestartAsync(TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await cluster.Redis.PauseAsync();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await cluster.Redis.ResumeAsync();
        await Task.WhenAll(sending);

        var top = acked.Keys.Max();
        await Eventually.TrueAsync(() => watchers.All(w => w.Seqs.Count > 0 && w.Seqs[^1] >= top), TimeSpan.FromSeconds(20), "every watcher reaches the last acknowledged gift");
        await stop.CancelAsync();
        await Task.WhenAll(watching);
        output.WriteLine($"{acked.Count} gifts acknowledged, {retries} retries through the faults");
        Assert.True(retries > 0, "the faults refused no gift: the test did not exercise them");
        var first = acked.Keys.Min();
        foreach (var w in watchers)
        {
            Assert.True(Check(w.Seqs, first) is null, $"watcher on {w.Gateway}: {Check(w.Seqs, first)}");
            Assert.Equal(acked.Keys.Order(), w.Seqs.Where(acked.ContainsKey));
            await w.DisposeAsync();
        }

        foreach (var client in senders)
        {
            await client.DisposeAsync();
        }
    }

    // Strictly increasing (no seq twice, none out of order) and contiguous (no gap), from `start` when the join promised it.
    private static string? Check(IReadOnlyList<long> seqs, long? start)
    {
        if (seqs.Count > 0 && start is { } s && seqs[0] != s)
        {
            return $"first seq {seqs[0]}, expected {s}: {Window(seqs, 0)}";
        }

        for (var i = 1; i < seqs.Count; i++)
        {
            if (seqs[i] <= seqs[i - 1])
            {
                return $"seq {seqs[i]} after {seqs[i - 1]} ({(seqs[i] == seqs[i - 1] ? "duplicate" : "out of order")}): {Window(seqs, i)}";
            }

            if (seqs[i] != seqs[i - 1] + 1)
            {
                return $"gap: seq {seqs[i]} after {seqs[i - 1]}: {Window(seqs, i)}";
            }
        }

        return null;
    }

    private static string Window(IReadOnlyList<long> seqs, int at) =>
        string.Join(",", seqs.Skip(Math.Max(0, at - 4)).Take(8));

    private sealed record JoinAnswer(long Seq, bool Recovered);

    private sealed record Session(string Gateway, long? LastSeq, JoinAnswer Join, IReadOnlyList<long> Seqs);

    /// <summary>
    /// A connection read at the wire: every reliable seq of every <c>events</c> frame, in arrival order, with no
    /// client-side de-duplication (the official and .NET clients de-duplicate; this test checks the server).
    /// </summary>
    private sealed class Probe : IAsyncDisposable
    {
        private readonly RawHubSocket _socket = new(receiveBufferBytes: 256 * 1024);
        private readonly List<long> _seqs = new();

        private Probe(string gateway) => Gateway = gateway;

        public string Gateway { get; }

        public JoinAnswer Join { get; private set; } = new(0, false);

        public IReadOnlyList<long> Seqs
        {
            get
            {
                lock (_seqs)
                {
                    return _seqs.ToList();
                }
            }
        }

        public static async Task<Probe> JoinAsync(Uri gateway, string token, string room, long? lastSeq, CancellationToken ct)
        {
            var probe = new Probe(gateway.Port.ToString(CultureInfo.InvariantCulture));
            await probe._socket.ConnectAsync(gateway, token, ct);
            var last = lastSeq is { } l ? l.ToString(CultureInfo.InvariantCulture) : "null";
            await probe._socket.SendRawAsync(Encoding.UTF8.GetBytes(
                $"{{\"type\":1,\"invocationId\":\"j\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\",{last}]}}\u001e"), ct);
            while (true)
            {
                var record = await probe._socket.ReadRecordAsync(ct) ?? throw new InvalidOperationException("closed while joining");
                if (probe.Take(record) is { } completion)
                {
                    if (completion.TryGetProperty("error", out var error))
                    {
                        throw new InvalidOperationException("join failed: " + error.GetString());
                    }

                    var result = completion.GetProperty("result");
                    probe.Join = new JoinAnswer(result.GetProperty("seq").GetInt64(), result.GetProperty("recovered").GetBoolean());
                    return probe;
                }
            }
        }

        /// <summary>Reads frames until <paramref name="ct"/> ends or the socket closes.</summary>
        public async Task ReadUntilAsync(CancellationToken ct)
        {
            try
            {
                while (await _socket.ReadRecordAsync(ct) is { } record)
                {
                    Take(record);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public ValueTask DisposeAsync() => _socket.DisposeAsync();

        // Records the reliable seqs of an events frame; returns the completion of the join, if this is it.
        private JsonElement? Take(string record)
        {
            using var doc = JsonDocument.Parse(record);
            var root = doc.RootElement;
            var type = root.GetProperty("type").GetInt32();
            if (type == 3)
            {
                return root.Clone();
            }

            if (type == 1 && root.GetProperty("target").GetString() == "events")
            {
                lock (_seqs)
                {
                    foreach (var e in root.GetProperty("arguments")[0].EnumerateArray())
                    {
                        if (e.TryGetProperty("seq", out var seq) && seq.ValueKind == JsonValueKind.Number)
                        {
                            _seqs.Add(seq.GetInt64());
                        }
                    }
                }
            }

            return null;
        }
    }
}
