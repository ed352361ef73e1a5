using System.Diagnostics;

namespace LiveIm.LoadTest.Runner;

// How the load simulations are driven. Each scenario's driver runs on a thread of its own (thousands of busy receive
// loops on the thread pool must not delay arrivals) and wakes every millisecond. Due times are computed from the
// simulation, not from when the driver woke: a late driver, a slow client or a slow server shows up as latency.
public sealed partial class LoadRunner
{
    private async Task DriveAsync(Scenario scenario, object? data, CancellationToken cancellationToken)
    {
        using var scenarioStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                if (scenario.IsClosed)
                {
                    DriveClosed(scenario, data, running, scenarioStop.Token);
                }
                else
                {
                    DriveOpen(scenario, data, running, scenarioStop.Token);
                }

                done.TrySetResult();
            }
#pragma warning disable CA1031 // The driver's failure is the scenario's failure, reported by the awaiting task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.TrySetException(ex);
            }
        })
        { IsBackground = true, Name = $"spike-driver-{scenario.Name}" };
        thread.Start();
        try
        {
            await done.Task.ConfigureAwait(false);
        }
        finally
        {
            // Closed copies were retired by the driver; open iterations get the drain timeout to finish, then are cancelled.
            Task[] tasks;
            lock (running)
            {
                tasks = running.ToArray();
            }

            var all = Task.WhenAll(tasks);
            if (await Task.WhenAny(all, Task.Delay(DrainTimeout, CancellationToken.None)).ConfigureAwait(false) != all)
            {
                Note($"{scenario.Name}: {tasks.Count(t => !t.IsCompleted)} iterations still running after {DrainTimeout.TotalSeconds:0} s: cancelled");
                await scenarioStop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private void DriveClosed(Scenario scenario, object? data, List<Task> running, CancellationToken stop)
    {
        var frequency = Stopwatch.Frequency;
        var copies = new List<(CancellationTokenSource Stop, Task Task)>();
        var nextCopy = 0;
        var phaseStart = _start;
        foreach (var phase in scenario.Simulations)
        {
            var from = copies.Count;
            var during = (long)(phase.During.TotalSeconds * frequency);
            var phaseEnd = phaseStart + during;
            while (!stop.IsCancellationRequested)
            {
                var now = Stopwatch.GetTimestamp();
                var elapsed = Math.Min(now, phaseEnd) - phaseStart;
                var wanted = phase.CopiesAt(from, TimeSpan.FromSeconds(elapsed / (double)frequency));
                while (copies.Count < wanted)
                {
                    // Copy n of a ramp from `from` to `to` is due at (n - from) / (to - from) of the phase.
                    var n = copies.Count + 1;
                    var due = phase.Kind == LoadSimulationKind.RampingConstant && phase.Copies != from
                        ? phaseStart + (long)((double)(n - from) / (phase.Copies - from) * during)
                        : phaseStart;
                    var copyStop = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    var context = new ScenarioContext(scenario.Name, nextCopy++, Metrics, data, copyStop.Token);
                    var task = Task.Run(() => CopyLoopAsync(scenario, context, Math.Min(due, now)), CancellationToken.None);
                    copies.Add((copyStop, task));
                    lock (running)
                    {
                        running.Add(task);
                    }
                }

                while (copies.Count > wanted)
                {
                    // The last copies started leave first.
                    var last = copies[^1];
                    copies.RemoveAt(copies.Count - 1);
                    last.Stop.Cancel();
                }

                if (now >= phaseEnd)
                {
                    break;
                }

                Thread.Sleep(1);
            }

            phaseStart = phaseEnd;
        }

        // The phases are over: every copy leaves.
        foreach (var copy in copies)
        {
            copy.Stop.Cancel();
        }
    }

    private void DriveOpen(Scenario scenario, object? data, List<Task> running, CancellationToken stop)
    {
        var frequency = Stopwatch.Frequency;
        var random = new Random(unchecked(scenario.Name.GetHashCode(StringComparison.Ordinal) ^ 0x5f3759df));
        var inFlight = 0;
        var iteration = 0;
        var dropped = Metrics.Counter($"{scenario.Name}.dropped_iterations");
        var phaseStart = _start;
        double previousRate = 0; // per interval, where a RampingInject starts
        foreach (var phase in scenario.Simulations)
        {
            var during = (long)(phase.During.TotalSeconds * frequency);
            var phaseEnd = phaseStart + during;
            var intervalTicks = (long)(phase.Interval.TotalSeconds * frequency);
            double owed = 0; // iterations due so far in this phase, fractional
            var startedInPhase = 0L;
            var lastTick = phaseStart;
            var intervalStart = phaseStart;
            var ratePerSecond = phase.RatePerSecondAt(previousRate, TimeSpan.Zero, random);
            while (!stop.IsCancellationRequested)
            {
                var now = Math.Min(Stopwatch.GetTimestamp(), phaseEnd);
                if (phase.Kind == LoadSimulationKind.InjectRandom && now - intervalStart >= intervalTicks)
                {
                    intervalStart += intervalTicks;
                    ratePerSecond = phase.RatePerSecondAt(previousRate, TimeSpan.Zero, random);
                }
                else if (phase.Kind == LoadSimulationKind.RampingInject)
                {
                    ratePerSecond = phase.RatePerSecondAt(previousRate, TimeSpan.FromSeconds((now - phaseStart) / (double)frequency), random);
                }

                // Integrate the rate from the last wake-up to now. Iteration k (from 0) is due where the integral
                // passed k, so the first is due at the phase's start and a phase of n per second runs n a second
                // (linear within the wake-up's span).
                var span = now - lastTick;
                var before = owed;
                owed += ratePerSecond * span / frequency;
                var target = (long)Math.Ceiling(owed - 1e-9);
                for (var k = startedInPhase; k < target; k++)
                {
                    var due = owed == before ? now : lastTick + (long)(Math.Max(0, k - before) / (owed - before) * span);
                    startedInPhase = k + 1;
                    if (Volatile.Read(ref inFlight) >= MaxInFlight)
                    {
                        dropped.Add();
                        continue;
                    }

                    Interlocked.Increment(ref inFlight);
                    var context = new ScenarioContext(scenario.Name, iteration++, Metrics, data, stop);
                    var task = Task.Run(async () =>
                    {
                        try
                        {
                            await IterateOnceAsync(scenario, context, due).ConfigureAwait(false);
                        }
                        finally
                        {
                            Interlocked.Decrement(ref inFlight);
                        }
                    }, CancellationToken.None);
                    lock (running)
                    {
                        running.RemoveAll(t => t.IsCompleted);
                        running.Add(task);
                    }
                }

                lastTick = now;
                if (now >= phaseEnd)
                {
                    break;
                }

                Thread.Sleep(1);
            }

            if (phase.Kind is LoadSimulationKind.Inject or LoadSimulationKind.RampingInject)
            {
                previousRate = phase.Rate;
            }
            else if (phase.Kind == LoadSimulationKind.Pause)
            {
                previousRate = 0;
            }

            phaseStart = phaseEnd;
        }
    }

    private async Task CopyLoopAsync(Scenario scenario, ScenarioContext context, long due)
    {
        var first = true;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            var began = first ? due : Stopwatch.GetTimestamp();
            first = false;
            await IterateOnceAsync(scenario, context, began).ConfigureAwait(false);

            // An iteration that returns at once must not spin a core: at most one per millisecond per copy.
            if (Stopwatch.GetElapsedTime(began) < TimeSpan.FromMilliseconds(1) && !context.CancellationToken.IsCancellationRequested)
            {
                await Task.Delay(1, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task IterateOnceAsync(Scenario scenario, ScenarioContext context, long due)
    {
        context.Begin(due);
        try
        {
            await scenario.Run(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Retired or the run ended: not a failure.
        }
#pragma warning disable CA1031 // An iteration that throws outside a step is counted and the copy goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Metrics.Counter($"{scenario.Name}.unhandled").Add();
            Note($"{scenario.Name}: iteration failed outside a step: {ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            context.End();
        }
    }
}
