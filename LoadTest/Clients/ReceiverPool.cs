using System.Diagnostics;
using System.Net;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// The receiving audience of one target: connects them in a join storm (bounded rate and concurrency, failures
/// retried), keeps them alive with SignalR pings and sums their counters.
/// </summary>
internal sealed class ReceiverPool : IDisposable
{
    /// <summary>Attempts per connection before it counts as failed.</summary>
    private const int MaxAttempts = 5;

    /// <summary>
    /// "Clients should send a ping at least every 15 s" (servers drop clients silent for 30 s). A 1 s timer pings
    /// one fifteenth of the pool per tick, so 10,000 receivers cost ~670 small sends a second, spread evenly.
    /// </summary>
    private const int PingPeriodTicks = 15;

    private readonly ReceiverConnection[] _receivers;
    private readonly IPEndPoint _server;
    private readonly string _roomId;
    private readonly SourceAddresses _sources;
    private readonly Timer _pingTimer;
    private long _pingTick;
    private volatile StepWindow? _window;

    // messagePack: the receivers speak the MessagePack hub protocol (else JSON).
    public ReceiverPool(int count, int tracerEvery, IPEndPoint server, string roomId, SourceAddresses sources, bool messagePack = false)
    {
        _server = server;
        _roomId = roomId;
        _sources = sources;
        _receivers = new ReceiverConnection[count];
        var tracers = 0;
        var minTracers = Math.Min(5, count);
        for (var i = 0; i < count; i++)
        {
            // Every tracerEvery-th receiver traces, and the last ones too until there are at least five.
            var isTracer = i % tracerEvery == 0 || count - i <= minTracers - tracers;
            tracers += isTracer ? 1 : 0;
            _receivers[i] = new ReceiverConnection(this, i, isTracer, messagePack: messagePack);
        }

        TracerCount = tracers;
        _pingTimer = new Timer(_ => PingSome(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The receivers.</summary>
    public IReadOnlyList<ReceiverConnection> Receivers => _receivers;

    /// <summary>Receivers that parse every event for latency.</summary>
    public int TracerCount { get; }

    /// <summary>Where tracers record latency now (null between steps).</summary>
    public StepWindow? Window
    {
        get => _window;
        set => _window = value;
    }

    /// <summary>Connects and joins every receiver; returns how the storm went.</summary>
    public async Task<JoinStorm> ConnectAllAsync(double joinsPerSecond, int concurrency, TimeSpan attemptTimeout, Action<string> progress)
    {
        var started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(concurrency, concurrency);
        var tasks = new List<Task>(_receivers.Length);
        long retries = 0, failed = 0;
        string? lastError = null;
        var nextReport = 1_000;
        for (var i = 0; i < _receivers.Length; i++)
        {
            // Bounded rate: receiver i starts no earlier than i / rate seconds into the storm.
            var due = started + (long)(i / joinsPerSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            await gate.WaitAsync().ConfigureAwait(false);
            var receiver = _receivers[i];
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            await receiver.ConnectAsync(_server, _sources.Next(), _roomId, attemptTimeout).ConfigureAwait(false);
                            return;
                        }
#pragma warning disable CA1031 // Any failure is retried, then counted; the last message goes into the report.
                        catch (Exception ex)
#pragma warning restore CA1031
                        {
                            lastError = ex.Message;
                            if (attempt >= MaxAttempts)
                            {
                                Interlocked.Increment(ref failed);
                                return;
                            }

                            Interlocked.Increment(ref retries);
                            var replacement = new ReceiverConnection(this, receiver.Index, receiver.IsTracer);
                            _receivers[receiver.Index] = replacement;
                            receiver = replacement;
                            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt + Random.Shared.Next(100))).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }));

            if (i + 1 == nextReport)
            {
                progress($"  joining: {i + 1:N0}/{_receivers.Length:N0} started, {Interlocked.Read(ref failed)} failed, {Interlocked.Read(ref retries)} retries");
                nextReport += Math.Max(1_000, _receivers.Length / 5);
            }
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new JoinStorm(_receivers.Length - (int)failed, (int)failed, (int)retries, seconds, lastError);
    }

    /// <summary>Sums the receivers' counters.</summary>
    public ReceiverTotals Snapshot()
    {
        long frames = 0, chat = 0, gifts = 0, other = 0, bytes = 0, unreadable = 0;
        var live = 0;
        foreach (var r in _receivers)
        {
            frames += r.Frames;
            chat += r.Chat;
            gifts += r.GiftEvents;
            other += r.OtherEvents;
            bytes += r.Bytes;
            unreadable += r.UnreadableGifts;
            live += r.IsLive ? 1 : 0;
        }

        return new ReceiverTotals(frames, chat, gifts, other, bytes, unreadable, live);
    }

    /// <summary>Drops every connection (after the target process is gone, so no close handshakes and no TIME_WAIT here).</summary>
    public void Dispose()
    {
        _pingTimer.Dispose();
        foreach (var r in _receivers)
        {
            r.Abort("run over");
        }
    }

    private void PingSome()
    {
        var tick = Interlocked.Increment(ref _pingTick) % PingPeriodTicks;
        for (var i = (int)tick; i < _receivers.Length; i += PingPeriodTicks)
        {
            _ = _receivers[i].PingAsync();
        }
    }
}
