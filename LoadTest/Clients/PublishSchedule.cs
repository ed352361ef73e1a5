using System.Collections.Concurrent;
using System.Diagnostics;
using LiveIm.LoadTest.Measurement;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// Drives one step's input: chat lines at <c>chatRate</c> and gifts at <c>giftRate</c>, spread round-robin over the
/// publishers, open loop (a slow server does not slow the schedule down; its lag shows up as latency).
/// </summary>
/// <remarks>
/// Message k is due at start + k / rate and carries that due time, not the time it finally left: when the scheduler,
/// a publisher's in-flight limit or the server falls behind, the delay counts (no coordinated omission). The schedule
/// runs on its own thread so that thousands of busy receive loops on the thread pool cannot starve it.
/// </remarks>
internal sealed class PublishSchedule
{
    private readonly IReadOnlyList<Publisher> _publishers;
    private readonly double _chatRate;
    private readonly double _giftRate;
    private readonly int _messageSize;
    private readonly string _runId;
    private readonly CancellationTokenSource _abandon = new();
    private readonly ConcurrentQueue<long> _ackedGifts = new();
    private Thread? _thread;
    private volatile bool _stopping;
    private long _nextGift;
    private long _chatAttempted;
    private long _chatOk;
    private long _chatFailed;
    private long _giftAttempted;
    private long _giftFailed;
    private long _pending;

    public PublishSchedule(IReadOnlyList<Publisher> publishers, double chatRate, double giftRate, int messageSize, string runId, long firstGiftNumber)
    {
        if (publishers.Count == 0)
        {
            throw new ArgumentException("At least one publisher is needed.", nameof(publishers));
        }

        _publishers = publishers;
        _chatRate = chatRate;
        _giftRate = giftRate;
        _messageSize = messageSize;
        _runId = runId;
        _nextGift = firstGiftNumber;
    }

    /// <summary>Chat lines sent (attempted).</summary>
    public long ChatAttempted => Interlocked.Read(ref _chatAttempted);

    /// <summary>Chat lines the server acknowledged.</summary>
    public long ChatOk => Interlocked.Read(ref _chatOk);

    /// <summary>Chat lines refused, failed or abandoned.</summary>
    public long ChatFailed => Interlocked.Read(ref _chatFailed);

    /// <summary>Gifts sent (attempted).</summary>
    public long GiftAttempted => Interlocked.Read(ref _giftAttempted);

    /// <summary>Gifts refused, failed or abandoned.</summary>
    public long GiftFailed => Interlocked.Read(ref _giftFailed);

    /// <summary>Numbers of the gifts the server acknowledged: every receiver must get each of them.</summary>
    public IReadOnlyCollection<long> AckedGifts => _ackedGifts;

    /// <summary>The number the next schedule's first gift takes (gift numbers are unique per target).</summary>
    public long NextGiftNumber => Interlocked.Read(ref _nextGift);

    /// <summary>The last error a publisher saw, if any.</summary>
    public string? LastError => _publishers.Select(p => p.LastError).LastOrDefault(e => e is not null);

    /// <summary>Starts sending.</summary>
    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "publish-schedule" };
        _thread.Start();
    }

    /// <summary>Stops scheduling new messages; those in flight continue.</summary>
    public void Stop()
    {
        _stopping = true;
        _thread?.Join();
    }

    /// <summary>Waits until every send has its answer; after <paramref name="timeout"/> abandons the rest (they count as failed).</summary>
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

    private void Run()
    {
        var start = Stopwatch.GetTimestamp();
        long chats = 0, gifts = 0;
        var frequency = (double)Stopwatch.Frequency;
        while (!_stopping)
        {
            var elapsed = Stopwatch.GetTimestamp() - start;

            // Message k is due at start + k/rate (the first one at once).
            var chatsDue = _chatRate > 0 ? (long)(elapsed / frequency * _chatRate) + 1 : 0;
            for (; chats < chatsDue; chats++)
            {
                var due = start + (long)(chats / _chatRate * frequency);
                var publisher = _publishers[(int)(chats % _publishers.Count)];
                Interlocked.Increment(ref _chatAttempted);
                Interlocked.Increment(ref _pending);
                _ = SendChatAsync(publisher, Payload.ChatText(due, chats, _messageSize));
            }

            var giftsDue = _giftRate > 0 ? (long)(elapsed / frequency * _giftRate) + 1 : 0;
            for (; gifts < giftsDue; gifts++)
            {
                var due = start + (long)(gifts / _giftRate * frequency);
                var number = Interlocked.Increment(ref _nextGift) - 1;
                var publisher = _publishers[(int)(gifts % _publishers.Count)];
                Interlocked.Increment(ref _giftAttempted);
                Interlocked.Increment(ref _pending);
                _ = SendGiftAsync(publisher, number, Payload.GiftId(number, due), Payload.ClientMsgId(_runId, number));
            }

            // ~1 ms on Linux: at 10,000 msg/s that is ten messages per wake-up, sent back to back.
            Thread.Sleep(1);
        }
    }

    private async Task SendChatAsync(Publisher publisher, string text)
    {
        try
        {
            if (await publisher.SendChatAsync(text, _abandon.Token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _chatOk);
            }
            else
            {
                Interlocked.Increment(ref _chatFailed);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task SendGiftAsync(Publisher publisher, long number, string giftId, string clientMsgId)
    {
        try
        {
            if (await publisher.SendGiftAsync(giftId, clientMsgId, _abandon.Token).ConfigureAwait(false))
            {
                _ackedGifts.Enqueue(number);
            }
            else
            {
                Interlocked.Increment(ref _giftFailed);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }
}
