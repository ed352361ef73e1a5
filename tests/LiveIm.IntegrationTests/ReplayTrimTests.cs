using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Hosting.Redis;
using LiveIm.RoomService.Replay;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.Stores.Redis;
using LiveIm.RoomService.StreamClock;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The replay store's bounds, trimmed in the stamping call itself (lib/clock.lua): Replay:MaxCount per epoch (the
/// oldest stream times go first), Replay:MaxAge of stream time behind the newest event, and a key that expires.
/// Also the clock's own rules at the store: the window minimum, a discontinuity.
/// </summary>
public sealed class ReplayTrimTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _redis;
    private readonly string _room = "trim-" + Guid.NewGuid().ToString("N")[..10];

    public ReplayTrimTests(RedisFixture redis)
    {
        _redis = redis;
    }

    private RedisRoomStore Store(int maxCount, TimeSpan maxAge) => new(
        _redis.Client, new RedisPresenceStore(_redis.Client), Options.Create(new RoomStoreOptions()), TimeProvider.System, Options.Create(new StreamClockOptions()),
        Options.Create(new ReplayOptions { MaxCount = maxCount, MaxAge = maxAge }));

    [Fact]
    public async Task Replay_keeps_at_most_MaxCount_events_and_MaxAge_of_stream_time_per_epoch()
    {
        const long T0 = 1_800_000_000_000;
        var store = Store(maxCount: 10, maxAge: TimeSpan.FromMinutes(1));
        var epoch = (await store.ReportClockAsync(_room, 0, T0, CancellationToken.None)).Epoch;

        // 25 events 1 s apart: the count bound keeps the last 10.
        for (var i = 0; i < 25; i++)
        {
            await Like(store, T0 + (i * 1000L));
        }

        var kept = await store.ReadReplayAsync(_room, epoch, 0, long.MaxValue, null, 1000, null, CancellationToken.None);
        Assert.Equal(Enumerable.Range(15, 10).Select(i => i * 1000L), kept.Events.Select(StreamTs));

        // One event at 60 s, then (the clock kept fresh) one at 114 s: everything more than 60 s behind it goes.
        await Like(store, T0 + 60_000);
        await store.ReportClockAsync(_room, 90_000, T0 + 90_000, CancellationToken.None);
        await Like(store, T0 + 114_000);
        kept = await store.ReadReplayAsync(_room, epoch, 0, long.MaxValue, null, 1000, null, CancellationToken.None);
        Assert.Equal([60_000L, 114_000L], kept.Events.Select(StreamTs).ToArray());
        var ttl = (long)await _redis.Client.ExecuteAsync("PTTL", RedisKeys.Replay(_room, epoch));
        Assert.InRange(ttl, 1, 60_000);
    }

    [Fact]
    public async Task The_clock_takes_the_fastest_report_of_its_window_and_a_jump_starts_a_new_epoch()
    {
        const long T0 = 1_800_000_000_000;
        var store = Store(100, TimeSpan.FromHours(1));
        var first = await store.ReportClockAsync(_room, 0, T0 + 300, CancellationToken.None); // 300 ms late
        Assert.True(first.NewEpoch);
        Assert.Equal(T0 + 300, first.OffsetMs);
        Assert.Equal(T0 + 20, (await store.ReportClockAsync(_room, 1000, T0 + 1020, CancellationToken.None)).OffsetMs); // 20 ms late
        Assert.Equal(T0 + 20, (await store.ReportClockAsync(_room, 2000, T0 + 2390, CancellationToken.None)).OffsetMs); // 390: no effect

        // 40 s on, the fast report has left the 30 s window: the best of the window's reports.
        await store.ReportClockAsync(_room, 39_000, T0 + 39_100, CancellationToken.None);
        Assert.Equal(T0 + 60, (await store.ReportClockAsync(_room, 40_000, T0 + 40_060, CancellationToken.None)).OffsetMs);

        // 2.9 s off the prediction is jitter; 3.1 s is a new epoch (StreamClock:DiscontinuityMs 3000).
        Assert.False((await store.ReportClockAsync(_room, 41_000 - 2900, T0 + 41_000, CancellationToken.None)).NewEpoch);
        var jump = await store.ReportClockAsync(_room, 500, T0 + 42_000, CancellationToken.None);
        Assert.True(jump.NewEpoch);
        Assert.True(jump.Epoch > first.Epoch);
        Assert.Equal(T0 + 41_500, jump.OffsetMs); // the window starts again with this report
    }

    private async Task Like(RedisRoomStore store, long now)
    {
        var e = new RoomEvent
        {
            RoomId = _room, Lane = Lane.Like, Type = RoomEventTypes.Likes, From = new EventSender("u", "U", Roles.Viewer), Likes = 1, ServerTs = now,
        };
        await store.AppendLikeAsync(_room, "u", false, EventDraft.Of(e), now, CancellationToken.None);
    }

    private static long StreamTs(byte[] json) => RoomEventJson.Deserialize(json).StreamTs!.Value;
}
