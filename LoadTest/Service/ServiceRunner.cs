using System.Diagnostics;
using System.Globalization;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Fanout;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Service;

/// <summary>
/// Runs the service workload: for each round, each system in turn — start it (nats-server, redis-server, RoomService,
/// one RoomGateway, from that checkout's build), connect the callers, call at the asked rates for the warm-up and the
/// window, measure, stop it — and returns the report.
/// </summary>
public sealed class ServiceRunner
{
    private readonly ServiceOptions _options;
    private readonly TextWriter _progress;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    /// <param name="options">What to run.</param>
    /// <param name="progress">Where progress lines go (stderr from the command line); null: nowhere.</param>
    public ServiceRunner(ServiceOptions options, TextWriter? progress = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _progress = progress ?? TextWriter.Null;
    }

    /// <summary>Runs every system of the options, <see cref="ServiceOptions.Rounds"/> times, alternating.</summary>
    public async Task<ServiceReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var machine = await MachineFacts.CollectAsync().ConfigureAwait(false);
        var systems = new List<SystemInfo>();
        for (var i = 0; i < _options.SystemRoots.Count; i++)
        {
            systems.Add(await SystemInfo.DescribeAsync(_options.SystemRoots[i]).ConfigureAwait(false));
        }

        var runs = new List<ServiceRunResult>();
        for (var round = 1; round <= _options.Rounds; round++)
        {
            for (var system = 0; system < systems.Count; system++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                runs.Add(await RunOnceAsync(system, systems[system], round, cancellationToken).ConfigureAwait(false));
            }
        }

        return new ServiceReport(_options, machine, systems, runs);
    }

    private async Task<ServiceRunResult> RunOnceAsync(int index, SystemInfo system, int round, CancellationToken cancellationToken)
    {
        var name = $"system {index + 1} ({system.Label}), round {round}";
        var target = new LiveImTarget(new FanoutOptions(), system.Root);
        var callers = new List<Publisher>();
        var result = new ServiceRunResult { System = index, Round = round };
        Log($"[{name}] starting: {system.Root ?? "this checkout"}");
        try
        {
            await target.StartAsync(Log, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < _options.Callers; i++)
            {
                var room = string.Create(CultureInfo.InvariantCulture, $"svc-{_runId}-{index}-{round}-{i % _options.Rooms}");
                callers.Add(await ConnectCallerAsync(target, i, room, cancellationToken).ConfigureAwait(false));
            }

            await WaitForRoundTripAsync(callers[0], name).ConfigureAwait(false);
            result = await MeasureAsync(target, callers, result, name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log($"[{name}] FAILED: {ex.Message}");
            result = result with { Error = ex.Message };
        }
        finally
        {
            Log($"[{name}] stopping");
            await target.DisposeAsync().ConfigureAwait(false);
            foreach (var caller in callers)
            {
                await caller.DisposeAsync().ConfigureAwait(false);
            }
        }

        return result;
    }

    private async Task<ServiceRunResult> MeasureAsync(LiveImTarget target, IReadOnlyList<Publisher> callers, ServiceRunResult result, string name, CancellationToken cancellationToken)
    {
        var processes = target.Processes;
        var schedule = new CallSchedule(callers, _options.ChatRate, _options.GiftRate, _options.MessageSize, _runId);
        Log($"[{name}] calling: chat {_options.ChatRate:0.#}/s, gifts {_options.GiftRate:0.#}/s from {callers.Count} callers in {_options.Rooms} rooms");
        schedule.Start();
        await Task.Delay(_options.Warmup, cancellationToken).ConfigureAwait(false);

        var windowStart = Stopwatch.GetTimestamp();
        schedule.OpenWindow(windowStart);
        var cpuBefore = processes.Select(p => ProcessStats.CpuSeconds(p.Pid)).ToArray();
        var selfBefore = ProcessStats.CpuSeconds(Environment.ProcessId);
        var machineBefore = ProcessStats.MachineTicks();
        await Task.Delay(_options.Duration, cancellationToken).ConfigureAwait(false);
        var windowEnd = Stopwatch.GetTimestamp();
        schedule.CloseWindow(windowEnd);
        var cpuAfter = processes.Select(p => ProcessStats.CpuSeconds(p.Pid)).ToArray();
        var selfAfter = ProcessStats.CpuSeconds(Environment.ProcessId);
        var machineAfter = ProcessStats.MachineTicks();
        schedule.Stop();
        var answered = await schedule.WaitForAnswersAsync(_options.DrainTimeout).ConfigureAwait(false);
        target.EnsureRunning();

        var seconds = (windowEnd - windowStart) / (double)Stopwatch.Frequency;
        var chat = Lane(schedule.Chat, _options.ChatRate, seconds);
        var gift = Lane(schedule.Gift, _options.GiftRate, seconds);
        var calls = chat.Due + gift.Due;
        var cpu = processes.Select((p, i) =>
        {
            var used = (cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0);
            return new ServiceProcessCpu(p.Name, used, calls > 0 ? used / calls * 1e6 : null);
        }).ToArray();
        var clientCpu = (selfAfter ?? 0) - (selfBefore ?? 0);
        var machineTotal = machineAfter.Total - machineBefore.Total;
        var machineBusySeconds = (machineAfter.Busy - machineBefore.Busy) / ProcessStats.TicksPerSecond;
        var otherCpu = Math.Max(0, machineBusySeconds - clientCpu - cpu.Sum(c => c.Seconds));
        result = result with
        {
            Seconds = seconds,
            Chat = chat,
            Gift = gift,
            Cpu = cpu,
            ClientCpuPercent = clientCpu / seconds * 100,
            OtherCpuPercent = otherCpu / seconds * 100,
            MachineBusyPercent = machineTotal > 0 ? 100.0 * (machineAfter.Busy - machineBefore.Busy) / machineTotal : 0,
            Error = answered ? null : $"calls still unanswered {_options.DrainTimeout.TotalSeconds:0} s after the window (abandoned, counted as failed)",
        };
        Log($"[{name}]   chat {chat.SustainedPerSecond:0.#}/s p50 {chat.Latency.P50:0.##} ms p99 {chat.Latency.P99:0.##} ms; " +
            $"gifts {gift.SustainedPerSecond:0.#}/s p50 {gift.Latency.P50:0.##} ms p99 {gift.Latency.P99:0.##} ms; " +
            $"CPU {result.AllCpuPerCall:0.#} µs/call ({string.Join(", ", cpu.Select(c => $"{c.Name} {c.MicrosecondsPerCall:0.#}"))})");
        return result;
    }

    private static LaneResult Lane(LaneStats stats, double asked, double seconds) =>
        new(asked, stats.Due, stats.Ok, stats.Failed, stats.AnsweredInWindow / seconds, LatencySummary.From(stats.Latency), stats.LastError);

    // /healthz answers before RoomService and the gateway have reached NATS and Redis, and until then JoinRoom
    // fails with "unavailable": retry for up to 30 s.
    private static async Task<Publisher> ConnectCallerAsync(BenchTarget target, int index, string roomId, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (true)
        {
            try
            {
                return await Publisher.ConnectAsync(target.HubUrl, target.PublisherToken(index, roomId), roomId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Microsoft.AspNetCore.SignalR.HubException or HttpRequestException or System.Net.WebSockets.WebSocketException or IOException
                && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WaitForRoundTripAsync(Publisher caller, string name)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        for (var attempt = 1; ; attempt++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"ready-{_runId}-{attempt}");
            if (await caller.RoundTripAsync(text, TimeSpan.FromSeconds(3)).ConfigureAwait(false))
            {
                Log($"[{name}] chat round trip ok");
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no chat round trip within 30 s: {caller.LastError ?? "the chat never came back"}");
            }

            await Task.Delay(250).ConfigureAwait(false);
        }
    }

    private void Log(string line)
    {
        lock (_progress)
        {
            _progress.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");
            _progress.Flush();
        }
    }
}
