using System.Diagnostics;
using LiveIm.LoadTest.Clients;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Service;

/// <summary>
/// Open-loop calls: SendChat at the chat rate and SendGift at the gift rate, spread round-robin over the callers.
/// Call k of a lane is due at start + k / rate; its latency runs from that due time to the answer, on
/// <see cref="Stopwatch.GetTimestamp"/> (CLOCK_MONOTONIC), so a caller or server that falls behind shows up as latency
/// (no coordinated omission). Runs on its own thread, like the fan-out schedule.
/// </summary>
internal sealed class CallSchedule
{
    private readonly IReadOnlyList<Publisher> _callers;
    private readonly double _chatRate;
    private readonly double _giftRate;
    private readonly int _messageSize;
    private readonly string _runId;
    private readonly CancellationTokenSource _abandon = new();
    private Thread? _thread;
    private volatile bool _stopping;
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;
    private long _pending;

    public CallSchedule(IReadOnlyList<Publisher> callers, double chatRate, double giftRate, int messageSize, string runId)
    {
        if (callers.Count == 0)
        {
            throw new ArgumentException("At least one caller is needed.", nameof(callers));
        }

        _callers = callers;
        _chatRate = chatRate;
        _giftRate = giftRate;
        _messageSize = messageSize;
        _runId = runId;
    }

    /// <summary>SendChat calls.</summary>
    public LaneStats Chat { get; } = new();

    /// <summary>SendGift calls.</summary>
    public LaneStats Gift { get; } = new();

    /// <summary>Starts calling.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "call-schedule" };
        _thread.Start();
    }

    /// <summary>From now on, calls due count as measured.</summary>
    public void OpenWindow(long timestamp) => Volatile.Write(ref _windowStart, timestamp);

    /// <summary>Calls due from now on are not measured; answers from now on do not count as sustained.</summary>
    public void CloseWindow(long timestamp) => Volatile.Write(ref _windowEnd, timestamp);

    /// <summary>Stops scheduling calls; those in flight continue.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    /// <summary>Waits until every call has its answer; after <paramref name="timeout"/> abandons the rest (they count as failed).</summary>
    public async Task<bool> WaitForAnswersAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Interlocked.Read(ref _pending) > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                await _abandon.CancelAsync().ConfigureAwait(false);
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    private bool InWindow(long timestamp) => timestamp >= Volatile.Read(ref _windowStart) && timestamp < Volatile.Read(ref _windowEnd);

    private void Run()
    {
        var start = Stopwatch.GetTimestamp();
        long chats = 0, gifts = 0;
        var frequency = (double)Stopwatch.Frequency;
        while (!_stopping)
        {
            var elapsed = Stopwatch.GetTimestamp() - start;
            var chatsDue = _chatRate > 0 ? (long)(elapsed / frequency * _chatRate) + 1 : 0;
            for (; chats < chatsDue; chats++)
            {
                var due = start + (long)(chats / _chatRate * frequency);
                var caller = _callers[(int)(chats % _callers.Count)];
                var text = Payload.ChatText(due, chats, _messageSize);
                _ = CallAsync(Chat, due, () => caller.SendChatAsync(text, _abandon.Token), caller);
            }

            var giftsDue = _giftRate > 0 ? (long)(elapsed / frequency * _giftRate) + 1 : 0;
            for (; gifts < giftsDue; gifts++)
            {
                var due = start + (long)(gifts / _giftRate * frequency);
                var caller = _callers[(int)(gifts % _callers.Count)];
                var number = gifts;
                _ = CallAsync(Gift, due, () => caller.SendGiftAsync(Payload.GiftId(number, due), Payload.ClientMsgId(_runId, number), _abandon.Token), caller);
            }

            // ~1 ms on Linux: at 10,000 calls/s that is ten calls per wake-up, sent back to back.
            Thread.Sleep(1);
        }
    }

    private async Task CallAsync(LaneStats lane, long due, Func<Task<bool>> call, Publisher caller)
    {
        var measured = InWindow(due);
        if (measured)
        {
            lane.CountDue();
        }

        Interlocked.Increment(ref _pending);
        try
        {
            var ok = await call().ConfigureAwait(false);
            var answered = Stopwatch.GetTimestamp();
            if (ok)
            {
                lane.Succeeded((long)((answered - due) * 1e6 / Stopwatch.Frequency), measured, InWindow(answered));
            }
            else
            {
                lane.FailedWith(caller.LastError, measured);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }
}
