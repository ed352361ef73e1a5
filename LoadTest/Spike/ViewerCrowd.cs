using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.Core.Gateways;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Protocol;
using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// Every viewer of a spike run: joins them through assignment (the closed model's copies call <see cref="RunAsync"/>),
/// moves them when their gateway dies or drains, keeps them alive with SignalR pings, and feeds the run's metrics:
/// connections, deliveries, frames, events per frame, chat and gift latency, reconnects and time to rejoin.
/// </summary>
internal sealed class ViewerCrowd : IDisposable
{
    /// <summary>Join attempts in a row before a viewer gives up for this iteration (the copy then starts again).</summary>
    private const int MaxAttempts = 10;

    /// <summary>"Clients should send a ping at least every 15 s": one fifteenth of the viewers each second.</summary>
    private const int PingPeriodTicks = 15;

    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<int, SpikeViewer> _viewers = new();
    private readonly GatewayAssignment _assignment;
    private readonly SourceAddressPool _sources;
    private readonly int _tracerRatio;
    private readonly Counter _frames;
    private readonly Counter _bytes;
    private readonly Counter _reconnects;
    private readonly LatencyRecorder _chat;
    private readonly LatencyRecorder _gift;
    private readonly LatencyRecorder _rejoin;
    private readonly LatencyRecorder _reconnectDelay;
    private readonly Timer _pingTimer;
    private long _pingTick;

    public ViewerCrowd(MetricsRegistry metrics, GatewayAssignment assignment, SourceAddressPool sources, int tracerRatio)
    {
        _assignment = assignment;
        _sources = sources;
        _tracerRatio = tracerRatio;
        Deliveries = metrics.Counter("deliveries");
        _frames = metrics.Counter("frames");
        _bytes = metrics.Counter("bytes_received");
        metrics.Ratio("events_per_frame", Deliveries, _frames);
        ChatDelivered = metrics.Counter("chat.delivered");
        GiftsDelivered = metrics.Counter("gift.delivered");
        Duplicated = metrics.Counter("gift.duplicated");
        Gaps = metrics.Counter("reliable.gaps");
        _reconnects = metrics.Counter("reconnects");
        _chat = metrics.Histogram("chat");
        _gift = metrics.Histogram("gift");
        _rejoin = metrics.Histogram("rejoin.time");
        _reconnectDelay = metrics.Histogram("reconnect.delay");
        metrics.Gauge("connections", () => _viewers.Values.Count(v => v.IsConnected));
        _pingTimer = new Timer(_ => PingSome(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Events received by all viewers (one per recipient per event).</summary>
    public Counter Deliveries { get; }

    /// <summary>Chat lines received by all viewers.</summary>
    public Counter ChatDelivered { get; }

    /// <summary>Distinct gifts received, summed over viewers.</summary>
    public Counter GiftsDelivered { get; }

    /// <summary>Reliable deliveries the server promised not to make (see <see cref="SpikeViewer.Duplicated"/>).</summary>
    public Counter Duplicated { get; }

    /// <summary>Reliable seq gaps seen.</summary>
    public Counter Gaps { get; }

    /// <summary>Every viewer that was ever started.</summary>
    public IReadOnlyCollection<SpikeViewer> Viewers => _viewers.Values.ToArray();

    /// <summary>
    /// The closed-model iteration of viewer <paramref name="context"/>.CopyNumber in <paramref name="roomId"/>: join,
    /// then stay until retired, moving when told or when the connection ends. Returns when the copy is retired.
    /// </summary>
    public async Task RunAsync(ScenarioContext context, string roomId)
    {
        var token = context.CancellationToken;
        var viewer = _viewers.GetOrAdd(context.CopyNumber, n => new SpikeViewer(this, n, roomId, n % _tracerRatio == 0));
        try
        {
            if (!viewer.IsConnected && !await JoinAsync(context, viewer, viewer.ResumeSeq is null ? "join" : "rejoin", token).ConfigureAwait(false))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500 + Random.Shared.Next(500)), token).ConfigureAwait(false);
                return;
            }

            while (!token.IsCancellationRequested)
            {
                var signal = await viewer.Signals.ReadAsync(token).ConfigureAwait(false);
                if (!ReferenceEquals(signal.Connection, viewer.CurrentConnection))
                {
                    continue; // about a connection it already left
                }

                _reconnects.Add();
                if (signal.ReconnectDelay is { } delay)
                {
                    // Drain: wait as told, join elsewhere with lastSeq, then drop the old connection (it delivered meanwhile).
                    _reconnectDelay.Record((long)delay.TotalMicroseconds);
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }

                while (!await JoinAsync(context, viewer, "rejoin", token).ConfigureAwait(false))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 + Random.Shared.Next(300)), token).ConfigureAwait(false);
                }

                _rejoin.Record(signal.Timestamp, Stopwatch.GetTimestamp());
                if (signal.ReconnectDelay is not null)
                {
                    viewer.Drop(signal.Connection);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Retired.
        }
        finally
        {
            if (token.IsCancellationRequested)
            {
                viewer.Leave();
            }
        }
    }

    /// <summary>Counts one received frame (called by every viewer's receive loop).</summary>
    public void CountFrame(in EventCounts counts, int bytes)
    {
        _frames.Add();
        Deliveries.Add(counts.Total);
        _bytes.Add(bytes);
        if (counts.Chat > 0)
        {
            ChatDelivered.Add(counts.Chat);
        }
    }

    /// <summary>Records a tracer's latency of one event, from its due time to its arrival.</summary>
    public void RecordLatency(byte lane, long sent, long now)
    {
        if (lane == (byte)'g')
        {
            _gift.Record(sent, now);
        }
        else if (lane == (byte)'c')
        {
            _chat.Record(sent, now);
        }
    }

    public void Dispose()
    {
        _pingTimer.Dispose();
        foreach (var viewer in _viewers.Values)
        {
            viewer.Leave();
        }
    }

    private async Task<bool> JoinAsync(ScenarioContext context, SpikeViewer viewer, string step, CancellationToken token)
    {
        // As LiveIm's clients do: a rejoin asks assignment to pass over the gateway it lost and each one it then
        // failed to reach (a crashed gateway's load report stays fresh for seconds after it died).
        var avoid = new List<string>();
        if (step == "rejoin")
        {
            AvoidList.Add(avoid, viewer.GatewayId);
        }

        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            var response = await Step.RunAsync(step, context, async () =>
            {
                var (url, gatewayId, failure, hint) = await _assignment.AssignAvoidingAsync(viewer.RoomId, avoid, token).ConfigureAwait(false);
                if (url is null)
                {
                    retryAfter = hint;
                    return failure!;
                }

                var lastSeq = viewer.ResumeSeq;
                var connection = new ReceiverConnection(null, viewer.Index, false, viewer);
                viewer.Attach(connection, url, lastSeq);
                try
                {
                    await connection.ConnectAsync(Loopback.EndPoint(url), _sources.Next(), viewer.RoomId, JoinTimeout, lastSeq).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Every failure to join is counted by its code and retried.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    viewer.Detach(connection);
                    AvoidList.Add(avoid, gatewayId);
                    retryAfter = ErrorCodes.RetryAfter(ex.Message);
                    return Response.Fail(ErrorCodes.From(ex), ex.Message);
                }

                if (token.IsCancellationRequested)
                {
                    connection.Abort("left");
                    token.ThrowIfCancellationRequested();
                }

                viewer.Promote(connection, url, gatewayId);
                return Response.Ok();
            }).ConfigureAwait(false);

            if (response.IsOk)
            {
                return true;
            }

            // Back off as told (rate_limited's retryAfterMs, a 503's Retry-After), else exponentially, with jitter.
            var wait = retryAfter ?? TimeSpan.FromMilliseconds(Math.Min(2000, 100 * (1 << Math.Min(attempt, 5))));
            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(100)), token).ConfigureAwait(false);
        }

        return false;
    }

    private void PingSome()
    {
        var tick = Interlocked.Increment(ref _pingTick) % PingPeriodTicks;
        foreach (var viewer in _viewers.Values)
        {
            if (viewer.Index % PingPeriodTicks == tick && viewer.CurrentConnection is { } connection)
            {
                _ = connection.PingAsync();
            }
        }
    }
}
