using System.Text.Json;
using LiveIm.Client;
using LiveIm.Client.Alignment;
using LiveIm.Client.Replay;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Testing;
using Xunit;
using Xunit.Abstractions;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The stream clock end to end (docs/stream-clock.md): a fake media server reporting with network delay, events stamped
/// through the real gateways, NATS and Redis, a clock reset, replay by epoch, and a viewer's aligner behind the live
/// edge. RoomService runs on a clock the test moves by hand, so every expectation is exact arithmetic.
/// </summary>
[Collection(StreamClockCollection.Name)]
public sealed class StreamClockTests
{
    private readonly StreamClockCluster _cluster;
    private readonly ITestOutputHelper _output;

    public StreamClockTests(StreamClockCluster cluster, ITestOutputHelper output)
    {
        _cluster = cluster;
        _output = output;
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];

    private sealed record Sent(long Id, long TruthMs, int Session, long BestDelayMs, string What);

    [Fact]
    public async Task Every_event_is_stamped_within_50_ms_of_the_true_stream_position_and_a_clock_reset_starts_a_new_epoch()
    {
        var room = NewId("sim");
        var hostId = NewId("host");
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token(hostId, Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token(NewId("fan")));
        await fan.JoinRoomAsync(room);
        await using var watcher = await _cluster.ConnectAsync(2);
        var received = new EventCollector(watcher);
        await watcher.JoinRoomAsync(room);

        // The fake media server: a report every 500 ms of stream time, each delayed 0-400 ms on its way; one in four
        // travels fast (0-5 ms), as on a real path the minimum delay recurs. Session 2 is the encoder restarting at 0
        // two seconds after session 1's last report; its first report happens to be a slow one (350 ms).
        var rng = new Random(20261121);
        var clock = _cluster.Clock;
        var sent = new List<Sent>();
        var epochs = new long[2];
        const int ReportsPerSession = 40;
        var sessionStart = clock.NowMs + 1000;
        for (var session = 0; session < 2; session++)
        {
            var bestDelay = long.MaxValue;
            for (var k = 0; k < ReportsPerSession; k++)
            {
                var sendAt = sessionStart + (500L * k);
                long delay = session == 1 && k == 0 ? 350 : k % 4 == 0 ? rng.Next(0, 6) : rng.Next(0, 401);
                clock.Set(sendAt + delay);
                var (status, body) = await _cluster.PostClockAsync(room, $"{{\"streamMs\":{sendAt - sessionStart}}}");
                Assert.Equal(200, status);
                using (var reply = JsonDocument.Parse(body))
                {
                    var epoch = reply.RootElement.GetProperty("epoch").GetInt64();
                    Assert.Equal(k == 0, reply.RootElement.GetProperty("newEpoch").GetBoolean());
                    if (k == 0)
                    {
                        epochs[session] = epoch;
                    }

                    Assert.Equal(epochs[session], epoch);
                }

                // Within one window (30 s) of this session's reports, the estimate is the fastest report so far.
                bestDelay = Math.Min(bestDelay, delay);

                // An event sent after this report arrived and before the next one does: true position at its send time.
                var eventAt = sendAt + delay + 1 + rng.Next(0, (int)(480 - delay));
                clock.Set(eventAt);
                var (id, what) = await SendOneAsync(k, $"s{session}k{k}", fan, streamer);
                sent.Add(new Sent(id, eventAt - sessionStart, session, bestDelay, what));
            }

            sessionStart = clock.NowMs + 2000;
        }

        Assert.True(epochs[1] > epochs[0], "the reset began a later epoch");

        // Replay, by epoch, across pages of 7: exactly each session's events, in stream order (ties by id).
        var replay = new ReplayClient(_cluster.Http, _cluster.RoomServiceUrl, room, pageSize: 7);
        var byId = new Dictionary<long, RoomEvent>();
        for (var session = 0; session < 2; session++)
        {
            var events = await replay.FetchAsync(epochs[session], 0, long.MaxValue, CancellationToken.None);
            Assert.Equal(sent.Where(s => s.Session == session).Select(s => s.Id).Order(), events.Select(e => e.Id).Order());
            Assert.Equal(events.OrderBy(e => e.StreamTs).ThenBy(e => e.Id).Select(e => e.Id), events.Select(e => e.Id));
            foreach (var e in events)
            {
                Assert.Equal(epochs[session], e.StreamEpoch);
                byId[e.Id] = e;
            }
        }

        var worst = new long[2];
        var converged = 0;
        foreach (var s in sent)
        {
            var e = byId[s.Id];
            var error = s.TruthMs - e.StreamTs!.Value;

            // Exact: the estimate is the fastest report's delay behind the truth, never ahead of it.
            Assert.Equal(s.BestDelayMs, error);
            if (s.BestDelayMs <= 5)
            {
                converged++;
                Assert.InRange(error, 0, 50); // per event, once the epoch has seen one fast report
            }

            worst[s.Session] = Math.Max(worst[s.Session], error);
        }

        var early = sent.Where(s => s.BestDelayMs > 5).ToList();
        _output.WriteLine(
            $"{sent.Count} events ({string.Join(", ", sent.GroupBy(s => s.What).Select(g => $"{g.Count()} {g.Key}"))}), epochs {epochs[0]} -> {epochs[1]}; "
            + $"{converged} after a fast report: error 0..{sent.Where(s => s.BestDelayMs <= 5).Max(s => s.BestDelayMs)} ms; "
            + $"{early.Count} before one (session 2's first {early.Count} events: error = the best delay so far, {string.Join("/", early.Select(s => s.BestDelayMs))} ms)");
        Assert.True(early.All(s => s.Session == 1), "only the restart's first events wait for a fast report");
        Assert.InRange(early.Count, 1, 4);

        // What watchers receive live is what replay holds, byte for byte. Likes arrive summed per gateway tick (one
        // event per tick, with the highest id it covers): the sum carries the stamp of that latest like.
        var lastLike = sent.Where(s => s.What == "like").Max(s => s.Id);
        var needed = sent.Where(s => s.What != "like").Select(s => s.Id).Append(lastLike).ToHashSet();
        await received.WaitForAsync(events => needed.IsSubsetOf(events.Select(e => e.Id)), "every event reaches the watcher", seconds: 10);
        foreach (var e in received.Events.Where(e => e.Id > 0))
        {
            var stored = byId[e.Id];
            if (e.Type == RoomEventTypes.Likes)
            {
                Assert.Equal((stored.StreamTs, stored.StreamEpoch), (e.StreamTs, e.StreamEpoch));
            }
            else
            {
                Assert.Equal(Convert.ToBase64String(RoomEventJson.Serialize(stored)), Convert.ToBase64String(RoomEventJson.Serialize(e)));
            }
        }

        // A window: session 1's stream time 5,000..10,000 ms only, gifts only.
        var window = await replay.FetchAsync(epochs[0], 5000, 10_000, [Lane.Gift], CancellationToken.None);
        var expectedWindow = sent.Where(s => s.Session == 0 && s.What == "gift").Select(s => byId[s.Id])
            .Where(e => e.StreamTs is >= 5000 and <= 10_000).Select(e => e.Id).ToList();
        Assert.NotEmpty(expectedWindow);
        Assert.Equal(expectedWindow, window.Select(e => e.Id).ToList());
    }

    // One event of each kind in turn: viewer chat, gift, likes, streamer chat, and a moderation action now and then.
    private static async Task<(long Id, string What)> SendOneAsync(int k, string tag, RoomClient fan, RoomClient streamer) => (k % 5) switch
    {
        0 => ((await fan.SendChatAsync($"line {tag}")).Id, "chat"),
        1 => ((await fan.SendGiftAsync("rose", 1, tag)).Id, "gift"),
        2 => ((await fan.SendLikeAsync(3)).Id, "like"),
        3 => ((await streamer.SendChatAsync($"host line {tag}")).Id, "chat"),
        _ => ((await streamer.SetSlowModeAsync(0)).Id, "system"),
    };

    [Fact]
    public async Task A_viewer_8_s_behind_the_live_edge_gets_each_event_within_one_tick_of_playback_reaching_it()
    {
        var room = NewId("behind");
        await using var streamer = await _cluster.ConnectAsync(0, _cluster.Token(NewId("host"), Roles.Streamer, room));
        await streamer.JoinRoomAsync(room);
        await using var fan = await _cluster.ConnectAsync(1, _cluster.Token(NewId("fan")));
        await fan.JoinRoomAsync(room);
        await using var viewer = await _cluster.ConnectAsync(2);
        using var aligner = new PlaybackAligner(new PlaybackAlignerOptions
        {
            Replay = new ReplayClient(_cluster.Http, _cluster.RoomServiceUrl, room).FetchAsync,
        });
        using var attached = viewer.AttachAligner(aligner);
        await viewer.JoinRoomAsync(room);

        // The live stream: position = now - start. The streamer reports through the hub every 500 ms (no delay: the
        // delay's effect is the first test's subject). The viewer's player ticks every 100 ms, 8 s behind.
        var clock = _cluster.Clock;
        var start = clock.NowMs + 1000;
        clock.Set(start);
        const long Behind = 8000, Tick = 100;
        var epoch = (await streamer.ReportStreamClockAsync(0)).Epoch;
        var truth = new Dictionary<long, long>();
        var releasedAt = new Dictionary<long, (long PlaybackMs, ReleaseKind Kind)>();
        var received = 0L;
        for (var t = Tick; t <= 16_000; t += Tick)
        {
            clock.Set(start + t);
            if (t % 500 == 0)
            {
                await streamer.ReportStreamClockAsync(t);
            }

            // Events in the first 6 s of the stream: a chat line every 300 ms, a gift every 900 ms.
            if (t <= 6000 && t % 300 == 0)
            {
                var id = t % 900 == 0 ? (await fan.SendGiftAsync("star", 1, $"b{t}")).Id : (await fan.SendChatAsync($"at {t}")).Id;
                truth[id] = t;

                // Delivery is real time, the player's ticks are test time: the event is in the aligner before playback
                // moves on (it is 8 s away from being due anyway).
                await Eventually.TrueAsync(() => aligner.Stats.Received >= received + 1, TimeSpan.FromSeconds(5), "the event reaches the viewer's aligner");
                received = aligner.Stats.Received;
            }

            var position = new PlaybackPosition(epoch, t - Behind);
            aligner.UpdatePosition(position);
            foreach (var release in aligner.TakeReleased())
            {
                foreach (var e in release.Events.Where(e => e.Id > 0))
                {
                    releasedAt[e.Id] = (position.StreamMs, release.Kind);
                }
            }
        }

        Assert.Equal(truth.Keys.Order(), releasedAt.Keys.Where(truth.ContainsKey).Order());
        foreach (var (id, sentAt) in truth)
        {
            var (playbackMs, kind) = releasedAt[id];
            Assert.Equal(ReleaseKind.Due, kind);

            // Stamped exactly at its stream position (the reports had no delay), released at the first tick whose
            // playback position reaches it: never before, at most one tick after.
            Assert.InRange(playbackMs - sentAt, 0, Tick - 1);
        }

        _output.WriteLine(
            $"{truth.Count} events released by playback 8 s behind, each {truth.Min(p => releasedAt[p.Key].PlaybackMs - p.Value)}.."
            + $"{truth.Max(p => releasedAt[p.Key].PlaybackMs - p.Value)} ms after playback reached its stream time (tick {Tick} ms)");
    }
}
