using LiveIm.Hosting.Redis;
using StackExchange.Redis;

namespace LiveIm.RoomService.Stores.Redis;

// The stream clock and the replay store (docs/stream-clock.md). Stamping itself happens inside the admission and
// append scripts (lib/clock.lua); here: clock reports, and reading replay pages.
public sealed partial class RedisRoomStore
{
    /// <summary>Ties at one stream ms: a replay score is <c>streamTs × ReplayTie + n</c> (lib/clock.lua).</summary>
    internal const long ReplayTie = 1L << 21;

    /// <summary>Largest stream time on the replay timeline (lib/clock.lua).</summary>
    internal const long ReplayMaxTs = uint.MaxValue;

    /// <summary>
    /// Most entries read per Redis call while a lane filter skips others. A filtered page first reads twice its size;
    /// when the lanes asked for are rarer than that (gifts in an epoch of chat), the batch doubles on each call up to this.
    /// </summary>
    private const int FilteredBatch = 2000;

    /// <summary>
    /// Most entries one filtered page looks at. A page of gifts in an epoch of chat could otherwise read the whole set:
    /// reading costs ~4.5 µs per entry end to end (docs/replay-performance.md), so 100,000 entries would hold the
    /// request for ~0.5 s. Past 5,000 entries (~20 ms) the page ends early, with fewer events (possibly none) and a
    /// cursor, and the client asks again.
    /// </summary>
    private const int FilteredScanBudget = 5_000;

    private long StaleMs => (long)_clock.StaleAfter.TotalMilliseconds;

    private long ReplayAgeMs => (long)_replay.MaxAge.TotalMilliseconds;

    /// <inheritdoc />
    public async Task<ClockUpdate> ReportClockAsync(string roomId, long streamMs, long nowMs, CancellationToken cancellationToken)
    {
        // The clock outlives its epoch's replay sets (and a stale spell): an epoch stays the same for a stream that
        // resumes where it should be, and epochs never repeat anyway (clock_report.lua).
        var ttlMs = ReplayAgeMs + StaleMs;
        var reply = (RedisResult[])(await _redis.ScriptAsync(
            RoomScripts.ClockReport,
            [RedisKeys.Clock(roomId)],
            [nowMs, streamMs, (long)_clock.Window.TotalMilliseconds, _clock.BucketMs, _clock.DiscontinuityMs, ttlMs]))!;
        var update = new ClockUpdate((long)reply[0], (long)reply[1], (long)reply[2] == 1);
        RememberEpoch(roomId, update.Epoch); // the next event of the room is stamped in this epoch: no retry for it here
        return update;
    }

    /// <inheritdoc />
    public async Task<ClockState?> ReadClockAsync(string roomId, CancellationToken cancellationToken)
    {
        var fields = await _redis.RunAsync(db => db.HashGetAsync(RedisKeys.Clock(roomId), ["epoch", "offset", "lastStream", "lastArrival"]));
        if (fields.Any(f => f.IsNull))
        {
            return null;
        }

        return new ClockState((long)fields[0], (long)fields[1], (long)fields[2], (long)fields[3]);
    }

    /// <inheritdoc />
    public async Task<ReplaySlice> ReadReplayAsync(
        string roomId, long epoch, long fromMs, long toMs, long? after, int limit, IReadOnlyCollection<string>? lanes, CancellationToken cancellationToken)
    {
        var events = new List<byte[]>(Math.Min(limit, 1000));
        if (fromMs > ReplayMaxTs || toMs < fromMs)
        {
            return new ReplaySlice(events, null);
        }

        RedisKey key = RedisKeys.Replay(roomId, epoch);

        // A cursor never reaches back before fromMs (a cursor of another window is only a starting point). Scores are
        // whole numbers below 2^53, exact as doubles.
        double low;
        var exclude = Exclude.None;
        if (after is { } a && a >= fromMs * ReplayTie)
        {
            low = a;
            exclude = Exclude.Start;
        }
        else
        {
            low = fromMs * ReplayTie;
        }

        var high = toMs >= ReplayMaxTs ? double.PositiveInfinity : ((toMs + 1) * ReplayTie) - 1;
        var markers = lanes is null ? null : lanes.Select(LaneMarker).ToArray();

        // Unfiltered: one call, one entry more than the page to know whether another page follows.
        // Filtered: batches until the page is full (and one more match is seen) or the scan budget is spent.
        var scanned = 0;
        long? lastReturned = null;
        var batch = markers is null ? limit + 1 : Math.Min(FilteredBatch, (2 * limit) + 1);
        while (true)
        {
            var (from, excluding, take) = (low, exclude, batch);
            var entries = await _redis.RunAsync(db => db.SortedSetRangeByScoreWithScoresAsync(key, from, high, excluding, Order.Ascending, 0, take));
            long lastScore = 0;
            foreach (var entry in entries)
            {
                var json = (byte[]?)entry.Element ?? [];
                lastScore = (long)entry.Score;
                scanned++;
                if (markers is not null && !markers.Any(m => json.AsSpan().IndexOf(m) >= 0))
                {
                    continue;
                }

                if (events.Count == limit)
                {
                    return new ReplaySlice(events, lastReturned); // one more exists: the next page starts after this one
                }

                events.Add(json);
                lastReturned = lastScore;
            }

            if (entries.Length < batch)
            {
                return new ReplaySlice(events, null); // the window is exhausted
            }

            if (scanned >= FilteredScanBudget)
            {
                return new ReplaySlice(events, lastScore); // more may match: continue after what was scanned
            }

            low = lastScore;
            exclude = Exclude.Start;
            batch = Math.Min(FilteredBatch, batch * 2);
        }
    }

    // The lane field as the event JSON carries it, right after seq. Chat text and names are JSON strings, whose quotes
    // are escaped, so these bytes cannot occur inside them.
    private static byte[] LaneMarker(string lane) => System.Text.Encoding.UTF8.GetBytes(",\"lane\":\"" + lane + "\"");
}
