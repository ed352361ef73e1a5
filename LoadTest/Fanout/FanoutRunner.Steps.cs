using System.Diagnostics;
using System.Globalization;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Fanout;

// One step (warm-up, measured window, drain, checks, rest), and the capacity search's use of it.
public sealed partial class FanoutRunner
{
    /// <summary>A drain ends when the receivers' counters have not moved for this long.</summary>
    private static readonly TimeSpan DrainSettle = TimeSpan.FromSeconds(1.5);

    /// <summary>A target rests until its processes use less than this share of one core.</summary>
    private const double RestCpuShare = 0.1;

    /// <summary>Longest rest between steps.</summary>
    private static readonly TimeSpan RestTimeout = TimeSpan.FromSeconds(10);

    // The search itself is CapacitySearch; each rate it tries is one step here.
    private async Task<TargetResult> SearchCapacityAsync(TargetContext context, TargetResult result, CancellationToken cancellationToken)
    {
        var (capacity, atLeast) = await CapacitySearch.RunAsync(_options.StartRate, _options.MaxRate, _options.BisectSteps,
            async rate => (await RunStepAsync(context, rate, cancellationToken).ConfigureAwait(false)).Passed).ConfigureAwait(false);
        Log($"[{Name(context.Kind)}] capacity: {(atLeast ? "≥ " : string.Empty)}{capacity:0.#} msg/s");
        return result with { Searched = true, Capacity = capacity, CapacityAtLeast = atLeast };
    }

    private async Task<StepResult> RunStepAsync(TargetContext context, double rate, CancellationToken cancellationToken)
    {
        var (target, pool, publishers, kind) = context;
        target.EnsureRunning();
        var processes = target.Processes;
        var window = new StepWindow();
        pool.Window = window;
        var stepReceivers = pool.Receivers.Where(r => r.IsLive).ToArray();
        var startTotals = pool.Snapshot();
        var dropsBefore = await target.ReadDropsAsync().ConfigureAwait(false);
        Log($"[{Name(kind)}] step: chat {rate:0.#} msg/s, gifts {_options.GiftRate:0.#}/s, {stepReceivers.Length:N0} receivers");

        var schedule = new PublishSchedule(publishers, rate, _options.GiftRate, _options.MessageSize, _runId, context.NextGift);
        var sendStart = Stopwatch.GetTimestamp();
        schedule.Start();
        await Task.Delay(_options.Warmup, cancellationToken).ConfigureAwait(false);

        // The measured window.
        var windowStart = Stopwatch.GetTimestamp();
        window.Open(windowStart);
        var before = pool.Snapshot();
        var cpuBefore = processes.Select(p => ProcessStats.CpuSeconds(p.Pid)).ToArray();
        var selfBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
        var machineBefore = ProcessStats.MachineTicks();
        await Task.Delay(_options.Duration, cancellationToken).ConfigureAwait(false);
        var windowEnd = Stopwatch.GetTimestamp();
        window.Close(windowEnd);
        var after = pool.Snapshot();
        var cpuAfter = processes.Select(p => ProcessStats.CpuSeconds(p.Pid)).ToArray();
        var selfAfter = ProcessStats.CpuSeconds(Environment.ProcessId);
        var machineAfter = ProcessStats.MachineTicks();
        var rssUnderLoad = ProcessStats.RssBytes(processes[0].Pid);
        schedule.Stop();
        var sendSeconds = Stopwatch.GetElapsedTime(sendStart).TotalSeconds;

        // Drain: every send answered, then deliveries complete or stalled.
        var drainStart = Stopwatch.GetTimestamp();
        var answered = await schedule.WaitForAnswersAsync(_options.DrainTimeout).ConfigureAwait(false);
        var drainTimedOut = !answered || !await WaitForDeliveriesAsync(pool, startTotals, schedule, stepReceivers.Length, drainStart).ConfigureAwait(false);
        var drainSeconds = Stopwatch.GetElapsedTime(drainStart).TotalSeconds;
        var end = pool.Snapshot();
        pool.Window = null;
        context.NextGift = schedule.NextGiftNumber;
        var dropsAfter = await target.ReadDropsAsync().ConfigureAwait(false);

        // Gifts: every acknowledged gift at every receiver that was live when the step began.
        var acked = schedule.AckedGifts.ToArray();
        long minGifts = acked.Length, totalGifts = 0, duplicates = 0;
        var missing = 0;
        foreach (var receiver in stepReceivers)
        {
            var got = acked.Count(receiver.Gifts.Contains);
            totalGifts += got;
            minGifts = Math.Min(minGifts, got);
            missing += got < acked.Length ? 1 : 0;
            duplicates += receiver.Gifts.Duplicates;
        }

        var seconds = (windowEnd - windowStart) / (double)Stopwatch.Frequency;
        var deliveries = after.Events - before.Events;
        var cpu = processes.Select((p, i) =>
        {
            var used = (cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0);
            return new ProcessCpu(p.Name, used, deliveries > 0 ? used / deliveries * 1e6 : null);
        }).ToArray();
        var machineTotal = machineAfter.Total - machineBefore.Total;
        var clientCpu = (selfAfter ?? 0) - (selfBefore ?? 0);

        // Busy core-seconds of the machine minus ours: what other work took from the same cores meanwhile.
        var machineBusySeconds = (machineAfter.Busy - machineBefore.Busy) / ProcessStats.TicksPerSecond;
        var otherCpu = Math.Max(0, machineBusySeconds - clientCpu - cpu.Sum(c => c.Seconds));

        var chatExpected = schedule.ChatAttempted * stepReceivers.Length;
        var chatReceived = end.Chat - startTotals.Chat;
        target.EnsureRunning();
        var step = new StepResult
        {
            Rate = rate,
            SentRate = schedule.ChatAttempted / sendSeconds,
            ChatSent = schedule.ChatAttempted,
            ChatFailed = schedule.ChatFailed,
            GiftsSent = schedule.GiftAttempted,
            GiftsAcked = acked.Length,
            GiftsFailed = schedule.GiftFailed,
            Seconds = seconds,
            Receivers = stepReceivers.Length,
            DeliveriesPerSecond = deliveries / seconds,
            FramesPerSecond = (after.Frames - before.Frames) / seconds,
            BytesPerDelivery = deliveries > 0 ? (double)(after.Bytes - before.Bytes) / deliveries : null,
            BytesPerFrame = after.Frames > before.Frames ? (double)(after.Bytes - before.Bytes) / (after.Frames - before.Frames) : null,
            Chat = LatencySummary.From(window.Chat),
            Gift = LatencySummary.From(window.Gift),
            All = LatencySummary.From(window.All),
            ChatExpected = chatExpected,
            ChatReceived = chatReceived,
            GiftMinReceived = stepReceivers.Length == 0 ? 0 : minGifts,
            GiftTotalReceived = totalGifts,
            ClientsMissingGifts = missing,
            GiftDuplicates = duplicates,
            Cpu = cpu,
            ClientCpuPercent = clientCpu / seconds * 100,
            MachineBusyPercent = machineTotal > 0 ? 100.0 * (machineAfter.Busy - machineBefore.Busy) / machineTotal : 0,
            OtherCpuPercent = otherCpu / seconds * 100,
            RssUnderLoad = rssUnderLoad,
            ServerDrops = dropsBefore is not null && dropsAfter is not null ? dropsAfter.Minus(dropsBefore).ToString() : "n/a",
            DrainSeconds = drainSeconds,
            DrainTimedOut = drainTimedOut,
            FailReason = null,
            LastSendError = schedule.LastError,
        };
        step = step with { FailReason = Judge(step) };
        context.Steps.Add(step);
        Log($"[{Name(kind)}]   {(step.Passed ? "pass" : "FAIL: " + step.FailReason)} — {step.DeliveriesPerSecond:N0} deliveries/s, " +
            $"{step.FramesPerSecond:N0} frames/s, p99 {step.All.P99:0.#} ms, chat {step.ChatDelivered:P1}, gifts {acked.Length}/{schedule.GiftAttempted} " +
            $"(missing at {missing}), drain {drainSeconds:0.0} s");

        await RestAsync(processes, cancellationToken).ConfigureAwait(false);
        return step;
    }

    // Before the next rate, the target must be idle again: after an overloaded step a server can keep working off
    // what it queued (or collecting what it allocated) for seconds after the last delivery, and the next step would
    // pay for it. Idle = its processes used under RestCpuShare of a core over half a second; at most RestTimeout.
    private static async Task RestAsync(IReadOnlyList<Targets.TargetProcess> processes, CancellationToken cancellationToken)
    {
        await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        var deadline = Stopwatch.GetTimestamp() + (long)(RestTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var before = processes.Sum(p => ProcessStats.CpuSeconds(p.Pid) ?? 0);
            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            var used = processes.Sum(p => ProcessStats.CpuSeconds(p.Pid) ?? 0) - before;
            if (used < 0.5 * RestCpuShare)
            {
                return;
            }
        }
    }

    /// <summary>The step's verdict: null when it passed, else every reason it failed.</summary>
    private static string? Judge(StepResult step)
    {
        var reasons = new List<string>();
        if (step.All.Count == 0)
        {
            reasons.Add("no latency samples");
        }
        else if (step.All.P99 >= LatencyLimit.TotalMilliseconds)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"p99 {step.All.P99:0} ms ≥ {LatencyLimit.TotalMilliseconds:0} ms"));
        }

        if (step.ClientsMissingGifts > 0)
        {
            reasons.Add($"{step.ClientsMissingGifts} receivers missed gifts");
        }

        if (step.GiftsFailed > 0)
        {
            reasons.Add($"{step.GiftsFailed} gift sends failed");
        }

        if (step.ChatDelivered < ChatDeliveryFloor)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"chat delivered {step.ChatDelivered:P1} < {ChatDeliveryFloor:P0}"));
        }

        if (step.Receivers == 0)
        {
            reasons.Add("no live receivers");
        }

        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }

    // True when everything expected arrived; false when deliveries stalled for DrainSettle or the timeout hit
    // (a stall is not a timeout: the missing deliveries are simply lost, and the checks say so).
    private async Task<bool> WaitForDeliveriesAsync(ReceiverPool pool, ReceiverTotals start, PublishSchedule schedule, int receivers, long drainStart)
    {
        var deadline = drainStart + (long)(_options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        var expectedChat = schedule.ChatAttempted * receivers;
        var expectedGifts = (long)schedule.AckedGifts.Count * receivers;
        var lastEvents = -1L;
        var lastChange = Stopwatch.GetTimestamp();
        while (true)
        {
            var now = pool.Snapshot();
            if (now.Chat - start.Chat >= expectedChat && now.Gifts - start.Gifts >= expectedGifts)
            {
                return true;
            }

            var t = Stopwatch.GetTimestamp();
            if (now.Events != lastEvents)
            {
                lastEvents = now.Events;
                lastChange = t;
            }
            else if (Stopwatch.GetElapsedTime(lastChange, t) > DrainSettle)
            {
                return true;
            }

            if (t > deadline)
            {
                return false;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }
    }
}
