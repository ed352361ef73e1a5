using LiveIm.LoadTest.Runner;
using static LiveIm.LoadTest.Runner.LoadSimulation;

namespace LiveIm.LoadTest.Spike;

/// <summary>gift-burst: a steady room, then bursts of gifts; gift p50/p99/max, none lost, none twice.</summary>
internal static class GiftBurstPlan
{
    public static SpikePlan Build(SpikeRun run)
    {
        var o = run.Options;
        var room = run.Room("gifts");
        var start = o.Ramp + TimeSpan.FromSeconds(1);
        var room4Bursts = o.Hold - TimeSpan.FromSeconds(1) - o.GiftBurst * o.Bursts;
        var gap = room4Bursts > TimeSpan.FromSeconds(o.Bursts) ? room4Bursts / o.Bursts : TimeSpan.FromSeconds(1);
        var phases = new List<LoadSimulation> { Pause(start) };
        for (var i = 0; i < o.Bursts; i++)
        {
            phases.Add(Inject(o.GiftRate, TimeSpan.FromSeconds(1), o.GiftBurst));
            if (i + 1 < o.Bursts)
            {
                phases.Add(Pause(gap));
            }
        }

        run.PollOnline(room);
        return new SpikePlan
        {
            Scenarios =
            [
                run.Viewers(_ => room, RampingConstant(o.Viewers, o.Ramp), KeepConstant(o.Viewers, o.Hold)),
                run.Gifts("gifts", o.Gifters, _ => room, [.. phases]),
            ],
            Thresholds = GoLivePlan.Correctness(),
            Asserts =
            [
                $"{o.Viewers:N0} viewers in room {room} (ramp {o.Ramp.TotalSeconds:0.#} s, then steady {o.Hold.TotalSeconds:0.#} s)",
                $"{o.Bursts} bursts of {o.GiftRate:0.#} gifts/s for {o.GiftBurst.TotalSeconds:0.#} s from {o.Gifters} users, {gap.TotalSeconds:0.#} s apart",
                "every acknowledged gift reaches every viewer (gift.lost == 0), none twice (gift.duplicated == 0), gift p99 < 10 s; reported: gift p50/p99/max",
            ],
            Finish = _ =>
            {
                var (expected, lost, missing) = run.AccountGifts();
                var m = run.Metrics;
                return
                [
                    new("gift delivery latency", Figures.Histogram(m, "gift")),
                    new("gift send (ack) latency", Figures.Step(m, "gift.send")),
                    new("gifts", $"{run.GiftsAcked.Value:N0} acknowledged ({Figures.Outcomes(m, "gift.send")}); owed {expected:N0}, lost {lost:N0} (at {missing} viewers), duplicated {run.Crowd.Duplicated.Value:N0}, seq gaps {run.Crowd.Gaps.Value:N0}"),
                    new("joins", Figures.Outcomes(m, "join")),
                ];
            },
        };
    }
}
