using System.Diagnostics;
using System.Globalization;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Measurement;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Fanout;

/// <summary>
/// Runs the fan-out workload against each target in turn — start it, connect the audience once, step the chat rate
/// (a capacity search or one step), stop it — and returns the side-by-side report.
/// </summary>
/// <remarks>This file holds the run and target lifecycle; <c>FanoutRunner.Steps.cs</c> one step and the search.</remarks>
public sealed partial class FanoutRunner
{
    /// <summary>A step passes when p99 latency over all lanes stays under this.</summary>
    public static readonly TimeSpan LatencyLimit = TimeSpan.FromSeconds(1);

    /// <summary>A step passes when at least this share of the expected chat deliveries arrived.</summary>
    public const double ChatDeliveryFloor = 0.95;

    private readonly FanoutOptions _options;
    private readonly TextWriter _progress;
    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    /// <param name="options">What to run.</param>
    /// <param name="progress">Where progress lines go (stderr from the command line); null: nowhere.</param>
    public FanoutRunner(FanoutOptions options, TextWriter? progress = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _progress = progress ?? TextWriter.Null;
    }

    /// <summary>Runs every target of the options, one after the other, and builds the report.</summary>
    public async Task<FanoutReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var machine = await MachineFacts.CollectAsync().ConfigureAwait(false);
        var sources = new SourceAddresses(_options.SourceAddresses);
        var results = new List<TargetResult>();
        foreach (var kind in _options.Targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(await RunTargetAsync(kind, sources, cancellationToken).ConfigureAwait(false));
        }

        return new FanoutReport(_options, machine, results);
    }

    private async Task<TargetResult> RunTargetAsync(TargetKind kind, SourceAddresses sources, CancellationToken cancellationToken)
    {
        var target = BenchTarget.Create(kind, _options);
        var result = new TargetResult { Kind = kind, Description = target.Description };
        var publishers = new List<Publisher>();
        ReceiverPool? pool = null;
        TargetContext? context = null;
        // The same length for every target (each runs on servers of its own, so the ids need not differ): the room id
        // is in every event, and the targets' wire bytes per event are compared.
        var roomId = $"bench-{_runId}-{(int)kind}";
        Log($"[{Name(kind)}] starting: {target.Description}");
        try
        {
            await target.StartAsync(Log, cancellationToken).ConfigureAwait(false);
            var main = target.Processes[0];

            // Publishers first: publisher 0's chat round trip proves the whole path before anything is measured.
            for (var i = 0; i < _options.Publishers; i++)
            {
                publishers.Add(await ConnectPublisherAsync(target, i, roomId, cancellationToken).ConfigureAwait(false));
            }

            await WaitForRoundTripAsync(publishers[0], kind).ConfigureAwait(false);

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            var rssBefore = ProcessStats.RssBytes(main.Pid);
            pool = new ReceiverPool(_options.Connections, _options.TracerRatio, target.EndPoint, roomId, sources, target.ReceiversUseMessagePack);
            Log($"[{Name(kind)}] join storm: {_options.Connections:N0} receivers at ≤ {_options.JoinRate:N0}/s, ≤ {_options.JoinConcurrency} at once");
            var join = await pool.ConnectAllAsync(_options.JoinRate, _options.JoinConcurrency, TimeSpan.FromSeconds(30), Log).ConfigureAwait(false);
            Log($"[{Name(kind)}] joined {join.Connected:N0} in {join.Seconds:0.0} s ({join.JoinsPerSecond:N0}/s), {join.Retries} retries, {join.Failed} failed");
            if (join.Connected == 0)
            {
                throw new InvalidOperationException($"no receiver could join: {join.LastError}");
            }

            // Let the join storm's garbage and buffers settle before reading idle memory.
            await Task.Delay(2000, cancellationToken).ConfigureAwait(false);
            var rssIdle = ProcessStats.RssBytes(main.Pid);
            result = result with { Join = join, Tracers = pool.TracerCount, RssBefore = rssBefore, RssIdle = rssIdle };

            context = new TargetContext(target, pool, publishers, kind);
            if (_options.Capacity)
            {
                result = await SearchCapacityAsync(context, result, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RunStepAsync(context, _options.SingleRate, cancellationToken).ConfigureAwait(false);
            }

            result = result with { Steps = context.Steps };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The steps that ran still go into the report.
            Log($"[{Name(kind)}] FAILED: {ex.Message}");
            result = result with { Error = ex.Message, Steps = context?.Steps ?? [] };
        }
        finally
        {
            if (pool is not null)
            {
                // Counted before the target stops (which ends every connection).
                var lost = pool.Receivers.Where(r => r.CloseReason is not null).ToList();
                result = result with { ReceiversLost = lost.Count, LossReason = lost.FirstOrDefault()?.CloseReason };
            }

            // The target goes first: its sockets close from the server side, so none of ours lingers in TIME_WAIT.
            Log($"[{Name(kind)}] stopping");
            await target.DisposeAsync().ConfigureAwait(false);
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync().ConfigureAwait(false);
            }

            pool?.Dispose();
        }

        return result;
    }

    // /healthz answers before RoomService and the gateway have reached NATS and Redis, and until then JoinRoom
    // fails with "unavailable": retry for up to 30 s.
    private static async Task<Publisher> ConnectPublisherAsync(BenchTarget target, int index, string roomId, CancellationToken cancellationToken)
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

    private async Task WaitForRoundTripAsync(Publisher publisher, TargetKind kind)
    {
        // RoomService and the gateway reach NATS and Redis in the background after /healthz answers: retry.
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        for (var attempt = 1; ; attempt++)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"ready-{_runId}-{attempt}");
            if (await publisher.RoundTripAsync(text, TimeSpan.FromSeconds(3)).ConfigureAwait(false))
            {
                Log($"[{Name(kind)}] chat round trip ok");
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"no chat round trip within 30 s: {publisher.LastError ?? "the chat never came back"}");
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

    private static string Name(TargetKind kind) => kind.Name();

    /// <summary>What one target's steps share.</summary>
    private sealed record TargetContext(BenchTarget Target, ReceiverPool Pool, IReadOnlyList<Publisher> Publishers, TargetKind Kind)
    {
        /// <summary>The next gift number (unique per target, so a receiver's bitmap is never reused).</summary>
        public long NextGift { get; set; }

        /// <summary>Every step run so far, in order.</summary>
        public List<StepResult> Steps { get; } = [];
    }
}
