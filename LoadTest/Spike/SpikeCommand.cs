using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Reports;
using LiveIm.LoadTest.Runner;
using Spectre.Console;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// <c>LoadTest spike --scenario NAME [options]</c>: starts (or finds) LiveIm, prints what the scenario asserts, runs it
/// with live progress, writes <c>reports/&lt;scenario&gt;-&lt;utc&gt;/</c>, prints the summary, and exits 0 when every
/// threshold held, 1 naming the failed ones, 2 for bad options, 3 when the run could not start.
/// </summary>
public static class SpikeCommand
{
    /// <summary>The subcommand name.</summary>
    public const string Name = "spike";

    /// <summary>Runs with the arguments after <c>spike</c>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        if (args.Any(a => a is "-h" or "--help"))
        {
            await output.WriteLineAsync(SpikeOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        SpikeOptions options;
        try
        {
            options = SpikeOptions.Parse(args);
        }
        catch (OptionsException ex)
        {
            await error.WriteLineAsync("spike: " + ex.Message).ConfigureAwait(false);
            return 2;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await RunAsync(options, output, error, cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> RunAsync(SpikeOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        void Log(string line)
        {
            lock (error)
            {
                error.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            }
        }

        SpikeSystem system;
        try
        {
            system = await OpenSystemAsync(options, Log, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or FileNotFoundException or HttpRequestException)
        {
            await error.WriteLineAsync($"spike: cannot start: {ex.Message}").ConfigureAwait(false);
            return 3;
        }

        await using (system.ConfigureAwait(false))
        {
            var live = options.Progress == "live" || (options.Progress == "auto" && LiveTableProgress.IsTerminal);
            IRunProgress progress = live ? new LiveTableProgress(AnsiConsole.Console) : new PlainProgress(error);
            await using (progress.ConfigureAwait(false))
            {
                var runner = LoadRunner.Create(options.Scenario).WithProcesses(() => system.Processes).WithProgress(progress);
                await using var run = new SpikeRun(options, system, runner);
                SpikePlan plan;
                try
                {
                    plan = options.Scenario switch
                    {
                        SpikeScenarioName.GoLive => GoLivePlan.Build(run),
                        SpikeScenarioName.GiftBurst => GiftBurstPlan.Build(run),
                        SpikeScenarioName.ManyRooms => ManyRoomsPlan.Build(run),
                        _ => KillPlan.Build(run),
                    };
                }
                catch (OptionsException ex)
                {
                    await error.WriteLineAsync("spike: " + ex.Message).ConfigureAwait(false);
                    return 2;
                }

                var header = new List<string> { $"target: {system.Description}", $"command: spike {string.Join(' ', options.Arguments)}" };
                await output.WriteLineAsync($"spike {options.Scenario} asserts:").ConfigureAwait(false);
                foreach (var line in plan.Asserts)
                {
                    await output.WriteLineAsync("  - " + line).ConfigureAwait(false);
                }

                var thresholds = plan.Thresholds.Concat(options.Thresholds).ToArray();
                await output.WriteLineAsync("  thresholds: " + string.Join("; ", thresholds.Select(t => t.Description))).ConfigureAwait(false);
                runner.RegisterScenarios([.. plan.Scenarios]).WithThresholds(thresholds).WithFinish(plan.Finish);

                RunResult result;
                try
                {
                    result = await runner.RunAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    await error.WriteLineAsync("spike: cancelled").ConfigureAwait(false);
                    return 130;
                }
                catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
                {
                    await error.WriteLineAsync($"spike: the run could not start its scenarios: {ex.Message}").ConfigureAwait(false);
                    return 3;
                }

                result = result with { Notes = [.. plan.Asserts.Select(a => "asserts: " + a), .. result.Notes] };
                var folder = await ReportWriter.WriteAsync(result, options.ReportsDirectory, header).ConfigureAwait(false);
                await output.WriteLineAsync(MarkdownReport.Render(result, header)).ConfigureAwait(false);
                foreach (var t in result.Thresholds)
                {
                    await output.WriteLineAsync(t.ToString()).ConfigureAwait(false);
                }

                await output.WriteLineAsync($"report: {Path.Combine(folder, "report.html")}").ConfigureAwait(false);
                var failed = result.Thresholds.Where(t => !t.Passed).ToArray();
                if (failed.Length > 0)
                {
                    await error.WriteLineAsync("spike: failed thresholds: " + string.Join("; ", failed.Select(f => f.ToString()))).ConfigureAwait(false);
                    return 1;
                }

                return 0;
            }
        }
    }

    private static async Task<SpikeSystem> OpenSystemAsync(SpikeOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        if (options.Start > 0)
        {
            var started = new StartedSystem(options);
            try
            {
                await started.StartAsync(log, cancellationToken).ConfigureAwait(false);
                return started;
            }
            catch
            {
                await started.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        var running = new RunningSystem(options.RoomService, options.Gateways, options.NatsMonitor);
        try
        {
            await running.CheckAsync(cancellationToken).ConfigureAwait(false);
            return running;
        }
        catch
        {
            await running.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
