using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.Core.Identity;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// What the spike scenarios share: the system under test, the runner and its metrics, the viewers, the senders, the
/// gift ledger; and the building blocks the scenarios are made of (a viewers scenario, gift and chat senders, an
/// action at a chosen second, the online-count poller, the gift accounting).
/// </summary>
internal sealed class SpikeRun : IAsyncDisposable
{
    /// <summary>A gift acknowledged less than this before a viewer left is not held against it.</summary>
    public static readonly TimeSpan LeaveGrace = TimeSpan.FromSeconds(2);

    private readonly List<Sender> _senders = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly List<Task> _background = [];
    private readonly CancellationTokenSource _stop = new();

    public SpikeRun(SpikeOptions options, SpikeSystem system, LoadRunner runner)
    {
        Options = options;
        System = system;
        Runner = runner;
        RunId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture) + Guid.NewGuid().ToString("N")[..4];
        Assignment = new GatewayAssignment(system.RoomService);
        Crowd = new ViewerCrowd(runner.Metrics, Assignment, Sources, options.TracerRatio);
        GiftsAcked = runner.Metrics.Counter("gift.acked");
    }

    public SpikeOptions Options { get; }

    public SpikeSystem System { get; }

    public LoadRunner Runner { get; }

    public MetricsRegistry Metrics => Runner.Metrics;

    /// <summary>Unique per run: room ids and client message ids carry it.</summary>
    public string RunId { get; }

    public GatewayAssignment Assignment { get; }

    public SourceAddressPool Sources { get; } = new();

    public ViewerCrowd Crowd { get; }

    public GiftLedger Ledger { get; } = new();

    /// <summary>Gifts acknowledged so far.</summary>
    public Counter GiftsAcked { get; }

    /// <summary>Every sender connected so far.</summary>
    public IReadOnlyList<Sender> Senders
    {
        get
        {
            lock (_senders)
            {
                return _senders.ToArray();
            }
        }
    }

    /// <summary>The room id for <paramref name="name"/> in this run.</summary>
    public string Room(string name) => $"spike-{RunId}-{name}";

    /// <summary>The viewers: a closed scenario whose copy n is a viewer of <paramref name="roomOf"/>(n).</summary>
    public Scenario Viewers(Func<int, string> roomOf, params LoadSimulation[] phases) =>
        Scenario.Create("viewers", context => Crowd.RunAsync(context, roomOf(context.CopyNumber)))
            .WithLoadSimulations(phases)
            .WithClean(() => Task.CompletedTask);

    /// <summary>
    /// Gift senders: <paramref name="users"/> signed-in viewers of <paramref name="roomOf"/>(k) connected in the init;
    /// each iteration sends one gift (step <c>gift.send</c>) from sender k mod users. The gift id carries the gift's
    /// number and due time, so viewers measure delivery latency from when it was due.
    /// </summary>
    public Scenario Gifts(string name, int users, Func<int, string> roomOf, params LoadSimulation[] phases) =>
        Scenario.Create(name, async context =>
            {
                var senders = (IReadOnlyList<Sender>)context.Data!;
                var sender = senders[context.CopyNumber % senders.Count];
                var number = Ledger.NextNumber();
                await Step.RunAsync("gift.send", context, async () =>
                {
                    var (response, seq) = await sender.SendGiftAsync(Payload.GiftId(number, context.DueTimestamp), Payload.ClientMsgId(RunId, number), context.CancellationToken).ConfigureAwait(false);
                    if (response.IsOk && seq >= 0)
                    {
                        Ledger.Ack(sender.RoomId, number, seq, Stopwatch.GetTimestamp());
                        GiftsAcked.Add();
                    }

                    return response;
                }).ConfigureAwait(false);
            })
            .WithInit(async token => (object?)await ConnectSendersAsync(name, users, roomOf, token).ConfigureAwait(false))
            .WithLoadSimulations(phases);

    /// <summary>Chatters: like <see cref="Gifts"/>, one chat line per iteration (step <c>chat.send</c>; published and sampled lines counted).</summary>
    public Scenario Chat(string name, int users, string roomId, params LoadSimulation[] phases)
    {
        var published = Metrics.Counter("chat.published");
        var sampled = Metrics.Counter("chat.sampled");
        return Scenario.Create(name, async context =>
            {
                var senders = (IReadOnlyList<Sender>)context.Data!;
                var sender = senders[context.CopyNumber % senders.Count];
                await Step.RunAsync("chat.send", context, async () =>
                {
                    var (response, status) = await sender.SendChatAsync(Payload.ChatText(context.DueTimestamp, context.CopyNumber, 48), context.CancellationToken).ConfigureAwait(false);
                    (status == "sampled" ? sampled : published).Add(response.IsOk ? 1 : 0);
                    return response;
                }).ConfigureAwait(false);
            })
            .WithInit(async token => (object?)await ConnectSendersAsync(name, users, _ => roomId, token).ConfigureAwait(false))
            .WithLoadSimulations(phases);
    }

    /// <summary>Runs <paramref name="action"/> once, <paramref name="at"/> into the load (an open scenario: Pause, then one injection).</summary>
    public Scenario At(string name, TimeSpan at, Func<Task> action)
    {
        var done = 0;
        return Scenario.Create(name, async _ =>
            {
                if (Interlocked.Exchange(ref done, 1) == 0)
                {
                    await action().ConfigureAwait(false);
                }
            })
            .WithLoadSimulations(LoadSimulation.Pause(at), LoadSimulation.Inject(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));
    }

    /// <summary>Polls <c>GET /api/rooms/{roomId}</c> in the background: the gauge <c>online</c> is what RoomService says the room holds.</summary>
    public void PollOnline(string roomId)
    {
        double online = double.NaN;
        Metrics.Gauge("online", () => Volatile.Read(ref online));
        _background.Add(Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var json = JsonDocument.Parse(await _http.GetStringAsync(new Uri(System.RoomService, $"/api/rooms/{roomId}"), _stop.Token).ConfigureAwait(false));
                    Volatile.Write(ref online, json.RootElement.GetProperty("online").GetDouble());
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException or TaskCanceledException)
                {
                    Volatile.Write(ref online, double.NaN);
                }

                try
                {
                    await Task.Delay(500, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }));
    }

    /// <summary>
    /// The gift accounting: every viewer that joined is owed every acknowledged gift of its room with a seq above the
    /// one its first join saw, unless it left less than <see cref="LeaveGrace"/> after the acknowledgement. Sets
    /// <c>gift.expected</c>, <c>gift.lost</c> and <c>viewers.missing_gifts</c>.
    /// </summary>
    public (long Expected, long Lost, int ViewersMissing) AccountGifts()
    {
        var byRoom = Ledger.Acked.GroupBy(g => g.RoomId).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var grace = (long)(LeaveGrace.TotalSeconds * Stopwatch.Frequency);
        long expected = 0, lost = 0;
        var missing = 0;
        foreach (var viewer in Crowd.Viewers)
        {
            if (viewer.BaselineSeq < 0 || !byRoom.TryGetValue(viewer.RoomId, out var gifts))
            {
                continue;
            }

            var left = viewer.LeftTimestamp;
            var missed = 0;
            foreach (var gift in gifts)
            {
                if (gift.Seq <= viewer.BaselineSeq || (left != 0 && gift.Timestamp + grace > left))
                {
                    continue;
                }

                expected++;
                if (!viewer.HasGift(gift.Number))
                {
                    missed++;
                }
            }

            lost += missed;
            missing += missed > 0 ? 1 : 0;
        }

        Metrics.Counter("gift.expected").Set(expected);
        Metrics.Counter("gift.lost").Set(lost);
        Metrics.Counter("viewers.missing_gifts").Set(missing);
        return (expected, lost, missing);
    }

    /// <summary>Viewers that had joined and are not connected now (a move that never finished).</summary>
    public int Stranded() => Crowd.Viewers.Count(v => v.BaselineSeq >= 0 && v.LeftTimestamp == 0 && !v.IsConnected);

    /// <summary>The gateway holding the most viewers now (index into <see cref="SpikeSystem.Gateways"/>).</summary>
    public int BusiestGateway()
    {
        var gateways = System.Gateways;
        var counts = gateways.Select(g => Crowd.Viewers.Count(v => v.IsConnected && v.Gateway is { } u && u.Port == g.Port)).ToArray();
        return Array.IndexOf(counts, counts.Max());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_background).ConfigureAwait(false);
        Crowd.Dispose();
        foreach (var sender in Senders)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }

        Assignment.Dispose();
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<IReadOnlyList<Sender>> ConnectSendersAsync(string name, int users, Func<int, string> roomOf, CancellationToken token)
    {
        var connected = new Sender[users];
        using var gate = new SemaphoreSlim(16, 16);
        var tasks = Enumerable.Range(0, users).Select(async k =>
        {
            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                var room = roomOf(k);
                var token2 = await System.TokenAsync($"{name}-{RunId}-{k}", Roles.Viewer, null, token).ConfigureAwait(false);
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        connected[k] = await Sender.ConnectAsync(Assignment, room, token2, Sources.Next(), token).ConfigureAwait(false);
                        return;
                    }
                    catch (InvalidOperationException) when (attempt < 5)
                    {
                        await Task.Delay(200 * attempt, token).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);
        lock (_senders)
        {
            _senders.AddRange(connected);
        }

        return connected;
    }
}
