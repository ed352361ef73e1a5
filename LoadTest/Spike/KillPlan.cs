using LiveIm.LoadTest.Runner;
using static LiveIm.LoadTest.Runner.LoadSimulation;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// gateway-kill (SIGKILL), drain (SIGTERM: graceful drain) and nats-node-kill (SIGKILL of one of three NATS nodes):
/// the go-live load without the leave storm, the blow at <c>--kill-at</c> (default a third into the hold), the gift
/// burst around it. Viewers come back through assignment and resume with lastSeq; no gift may be lost or repeated.
/// </summary>
internal static class KillPlan
{
    public static SpikePlan Build(SpikeRun run)
    {
        var o = run.Options;
        var kind = o.Scenario;
        var room = run.Room(kind.Replace("-", string.Empty, StringComparison.Ordinal));
        var killAt = o.KillAt ?? o.Ramp + o.Hold / 3;
        if (killAt >= o.Ramp + o.Hold)
        {
            throw new Fanout.OptionsException($"invalid_value: --kill-at {killAt.TotalSeconds:0.#}s is after the hold ends ({(o.Ramp + o.Hold).TotalSeconds:0.#}s): raise --hold or lower --kill-at");
        }

        var system = run.System;
        var stranded = run.Metrics.Counter("viewers.stranded");
        var scenarios = GoLivePlan.Load(run, room, leaveStorm: false, giftsAround: killAt);
        var victim = -1;
        scenarios.Add(run.At("blow", killAt, async () =>
        {
            switch (kind)
            {
                case SpikeScenarioName.GatewayKill:
                    victim = run.BusiestGateway();
                    run.Runner.Note($"SIGKILL gateway {victim + 1} ({system.Gateways[victim]})");
                    await system.KillGatewayAsync(victim).ConfigureAwait(false);
                    break;
                case SpikeScenarioName.Drain:
                    victim = run.BusiestGateway();
                    run.Runner.Note($"SIGTERM gateway {victim + 1} ({system.Gateways[victim]}): graceful drain over {o.DrainSpread.TotalSeconds:0.#} s");
                    await system.TerminateGatewayAsync(victim).ConfigureAwait(false);
                    break;
                default:
                    victim = system is StartedSystem started ? await started.BusiestNatsNodeAsync().ConfigureAwait(false) : 0;
                    run.Runner.Note($"SIGKILL NATS node {victim + 1} ({system.NatsMonitors[victim]})");
                    await system.KillNatsNodeAsync(victim).ConfigureAwait(false);
                    break;
            }
        }));

        // Just before the end: who never came back.
        scenarios.Add(run.At("census", o.Ramp + o.Hold - TimeSpan.FromMilliseconds(600), () =>
        {
            stranded.Set(run.Stranded());
            run.Runner.Note($"census: {stranded.Value} viewers not connected");
            return Task.CompletedTask;
        }));

        var thresholds = GoLivePlan.Correctness().Append(Threshold.Create("viewers.stranded", ThresholdOperator.Equal, 0)).ToList();
        if (kind != SpikeScenarioName.NatsNodeKill)
        {
            thresholds.Add(Threshold.Create("reconnects", ThresholdOperator.Greater, 0));
        }

        if (kind == SpikeScenarioName.Drain)
        {
            thresholds.Add(Threshold.Create("reconnect.delay.max", ThresholdOperator.LessOrEqual, o.DrainSpread.TotalMilliseconds));
        }

        var blow = kind switch
        {
            SpikeScenarioName.GatewayKill => "SIGKILL the gateway with the most viewers",
            SpikeScenarioName.Drain => $"SIGTERM the gateway with the most viewers (graceful drain: reconnects spread over {o.DrainSpread.TotalSeconds:0.#} s, deadline {o.DrainDeadline.TotalSeconds:0.#} s)",
            _ => "SIGKILL the NATS node with the most client connections (of 3, clustered with routes)",
        };
        return new SpikePlan
        {
            Scenarios = scenarios,
            Thresholds = thresholds,
            Asserts =
            [
                $"the go-live load ({o.Viewers:N0} viewers over {o.Ramp.TotalSeconds:0.#} s, gifts {o.GiftRate:0.#}/s for {o.GiftBurst.TotalSeconds:0.#} s around the blow) on {system.Gateways.Count} gateways",
                $"at {killAt.TotalSeconds:0.#} s: {blow}",
                kind == SpikeScenarioName.NatsNodeKill
                    ? "gateways and RoomService move to the other NATS nodes; viewers keep their WebSockets"
                    : "its viewers come back through assignment and resume with lastSeq (rejoin.time is the distribution)",
                "no acknowledged gift lost (gift.lost == 0) or delivered twice (gift.duplicated == 0); every viewer connected again by the end (viewers.stranded == 0)"
                    + (kind == SpikeScenarioName.Drain ? $"; no reconnect asked later than the spread (reconnect.delay.max <= {o.DrainSpread.TotalMilliseconds:0})" : string.Empty),
            ],
            Finish = samples =>
            {
                var (expected, lost, missing) = run.AccountGifts();
                var m = run.Metrics;
                return
                [
                    new("blow", victim < 0 ? "did not happen" : $"{blow} (#{victim + 1}) at {killAt.TotalSeconds:0.#} s"),
                    new("reconnects", $"{m.Counter("reconnects").Value:N0}; rejoins {Figures.Outcomes(m, "rejoin")}"),
                    new("time to rejoin (loss or reconnect request → joined)", Figures.Histogram(m, "rejoin.time")),
                    new("reconnect delays asked by the drain", Figures.Histogram(m, "reconnect.delay")),
                    new("gift delivery latency", Figures.Histogram(m, "gift")),
                    new("gifts", $"{run.GiftsAcked.Value:N0} acknowledged ({Figures.Outcomes(m, "gift.send")}); owed {expected:N0}, lost {lost:N0} (at {missing} viewers), duplicated {run.Crowd.Duplicated.Value:N0}, seq gaps {run.Crowd.Gaps.Value:N0}"),
                    new("viewers not connected at the end", Figures.Count(stranded.Value)),
                    new("joins", Figures.Outcomes(m, "join")),
                ];
            },
        };
    }
}
