using LiveIm.LoadTest.Runner;
using static LiveIm.LoadTest.Runner.LoadSimulation;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// go-live (and the load gateway-kill, drain and nats-node-kill reuse): 0 → V viewers over the ramp through
/// assignment, chat ramping to a multiple of the room's budget, a gift burst from many users during the hold, then a
/// leave storm.
/// </summary>
internal static class GoLivePlan
{
    /// <summary>When the gift burst starts: a little after the ramp, or around <paramref name="around"/> when given.</summary>
    public static TimeSpan GiftStart(SpikeOptions o, TimeSpan? around = null)
    {
        var start = around is { } at ? at - o.GiftBurst / 2 : o.Ramp + TimeSpan.FromSeconds(Math.Min(1, o.Hold.TotalSeconds / 4));
        return start < o.Ramp ? o.Ramp : start;
    }

    /// <summary>The go-live scenarios; <paramref name="leaveStorm"/> false keeps the viewers to the end (the kill scenarios).</summary>
    public static List<Scenario> Load(SpikeRun run, string roomId, bool leaveStorm, TimeSpan? giftsAround = null)
    {
        var o = run.Options;
        var viewerPhases = new List<LoadSimulation> { RampingConstant(o.Viewers, o.Ramp), KeepConstant(o.Viewers, o.Hold) };
        if (leaveStorm)
        {
            viewerPhases.Add(RampingConstant(0, o.Leave));
        }

        var chatRate = o.ChatBudget * o.ChatTimes;
        // The per-user chat rate is 2/s (Limits:UserChatPerSecond): 1.5 lines/s each stays under it.
        var chatters = Math.Max(1, (int)Math.Ceiling(chatRate / 1.5));
        var giftStart = GiftStart(o, giftsAround);
        var scenarios = new List<Scenario>
        {
            run.Viewers(_ => roomId, [.. viewerPhases]),
            run.Gifts("gifts", o.Gifters, _ => roomId, Pause(giftStart), Inject(o.GiftRate, TimeSpan.FromSeconds(1), o.GiftBurst)),
        };
        if (chatRate > 0)
        {
            scenarios.Add(run.Chat("chat", chatters, roomId, RampingInject(chatRate, TimeSpan.FromSeconds(1), o.Ramp), Inject(chatRate, TimeSpan.FromSeconds(1), o.Hold)));
        }

        run.PollOnline(roomId);
        return scenarios;
    }

    public static SpikePlan Build(SpikeRun run)
    {
        var o = run.Options;
        var room = run.Room("live");
        var chatRate = o.ChatBudget * o.ChatTimes;
        return new SpikePlan
        {
            Scenarios = Load(run, room, leaveStorm: true),
            Thresholds = Correctness(),
            Asserts =
            [
                $"{o.Viewers:N0} viewers join room {room} over {o.Ramp.TotalSeconds:0.#} s through GET /api/gateways/assign, stay {o.Hold.TotalSeconds:0.#} s, leave over {o.Leave.TotalSeconds:0.#} s",
                $"chat ramps to {chatRate:0.#} lines/s ({o.ChatTimes:0.#}x the room budget of {o.ChatBudget}/s); {o.GiftRate:0.#} gifts/s from {o.Gifters} users for {o.GiftBurst.TotalSeconds:0.#} s",
                "every acknowledged gift reaches every viewer in the room (gift.lost == 0), none twice (gift.duplicated == 0), within 10 s (gift.p99 < 10000)",
                "reported: join time distribution, refused joins by code, gift p99, chat sampled vs delivered, online count convergence",
            ],
            Finish = samples =>
            {
                var (expected, lost, missing) = run.AccountGifts();
                var m = run.Metrics;
                var published = m.Counter("chat.published").Value;
                var viewers = Math.Max(1, run.Crowd.Viewers.Count(v => v.BaselineSeq >= 0));
                return
                [
                    new("join time (from due)", Figures.Step(m, "join")),
                    new("joins", Figures.Outcomes(m, "join")),
                    new("gift delivery latency", Figures.Histogram(m, "gift")),
                    new("gifts", $"{run.GiftsAcked.Value:N0} acknowledged ({Figures.Outcomes(m, "gift.send")}); owed {expected:N0}, lost {lost:N0} (at {missing} viewers), duplicated {run.Crowd.Duplicated.Value:N0}"),
                    new("chat", $"{published:N0} lines published, {m.Counter("chat.sampled").Value:N0} sampled away ({Figures.Outcomes(m, "chat.send")}); {run.Crowd.ChatDelivered.Value / (double)viewers:N0} delivered per viewer"),
                    new("chat delivery latency", Figures.Histogram(m, "chat")),
                    new("online count convergence", Figures.OnlineConvergence(samples, o.Ramp.TotalSeconds, run.Senders.Count)),
                ];
            },
        };
    }

    /// <summary>The thresholds every scenario with gifts holds: none lost, none twice, within the 10 s operators allow.</summary>
    public static Threshold[] Correctness() =>
    [
        Threshold.Create("gift.acked", ThresholdOperator.Greater, 0),
        Threshold.Create("gift.lost", ThresholdOperator.Equal, 0),
        Threshold.Create("gift.duplicated", ThresholdOperator.Equal, 0),
        Threshold.Create("gift.p99", ThresholdOperator.Less, 10_000),
    ];
}
