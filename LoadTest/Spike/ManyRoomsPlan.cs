using System.Diagnostics;
using System.Globalization;
using LiveIm.LoadTest.Runner;
using static LiveIm.LoadTest.Runner.LoadSimulation;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// many-rooms: rooms with Zipf-distributed audiences plus one hot room; gifts into the hot room and the largest
/// others. Per-room and total deliveries/s, and the bus: NATS must carry each room event once per gateway that has
/// members of that room (and none to a gateway without), read from NATS's own per-subscription counts.
/// </summary>
internal static class ManyRoomsPlan
{
    public static SpikePlan Build(SpikeRun run)
    {
        var o = run.Options;
        var cold = ZipfRooms.Sizes(o.Viewers - o.HotViewers, o.Rooms, o.Zipf);
        var rooms = cold.Select((_, i) => run.Room($"r{i + 1}")).Append(run.Room("hot")).ToArray();
        var sizes = cold.Append(o.HotViewers).ToArray();
        var placement = ZipfRooms.Placement(sizes, o.Seed);
        var hot = rooms.Length - 1;
        var sendingRooms = Enumerable.Range(0, cold.Length).Where(i => cold[i] > 0).Take(o.SendingRooms).ToArray();
        var hotSenders = o.GiftRate > 0 && o.HotViewers > 0 ? Math.Max(1, (int)Math.Ceiling(o.GiftRate / 8)) : 0; // per-user gift rate 10/s
        var giftsFrom = o.Ramp + TimeSpan.FromSeconds(1.5);
        var giftsFor = o.GiftBurst;
        var afterAt = giftsFrom + giftsFor + TimeSpan.FromSeconds(2);
        if (afterAt > o.Ramp + o.Hold - TimeSpan.FromMilliseconds(300))
        {
            throw new Fanout.OptionsException($"invalid_value: many-rooms needs --hold of at least {(giftsFor + TimeSpan.FromSeconds(4)).TotalSeconds:0.#}s for --gift-burst {giftsFor.TotalSeconds:0.#}s (gifts start 1.5 s after the ramp; the bus is read 2 s after they stop)");
        }

        var mismatched = run.Metrics.Counter("bus.mismatched_rooms");
        var checkedRooms = run.Metrics.Counter("bus.rooms_checked");
        var hotDeliveries = run.Metrics.Counter("deliveries.hot");
        BusSnapshot? before = null;
        Dictionary<SpikeViewer, long>? eventsBefore = null;
        long beforeAt = 0;
        var figures = new List<KeyValuePair<string, string>>();

        var scenarios = new List<Scenario>
        {
            run.Viewers(n => rooms[placement[n]], RampingConstant(o.Viewers, o.Ramp), KeepConstant(o.Viewers, o.Hold)),
            run.At("bus_before", giftsFrom - TimeSpan.FromMilliseconds(300), async () =>
            {
                eventsBefore = run.Crowd.Viewers.ToDictionary(v => v, v => v.Events);
                beforeAt = Stopwatch.GetTimestamp();
                before = await BusSnapshot.ReadAsync(run.System.NatsMonitors, CancellationToken.None).ConfigureAwait(false);
            }),
            run.At("bus_after", afterAt, async () =>
            {
                var after = await BusSnapshot.ReadAsync(run.System.NatsMonitors, CancellationToken.None).ConfigureAwait(false);
                var seconds = Stopwatch.GetElapsedTime(beforeAt).TotalSeconds;
                figures.AddRange(Compare(run, rooms, hot, before, after, eventsBefore, seconds, mismatched, checkedRooms, hotDeliveries));
            }),
        };
        if (hotSenders > 0)
        {
            scenarios.Add(run.Gifts("hot_gifts", hotSenders, _ => rooms[hot], Pause(giftsFrom), Inject(o.GiftRate, TimeSpan.FromSeconds(1), giftsFor)));
        }

        if (sendingRooms.Length > 0 && o.RoomGiftRate > 0)
        {
            scenarios.Add(run.Gifts("room_gifts", sendingRooms.Length, k => rooms[sendingRooms[k]], Pause(giftsFrom), Inject(o.RoomGiftRate * sendingRooms.Length, TimeSpan.FromSeconds(1), giftsFor)));
        }

        return new SpikePlan
        {
            Scenarios = scenarios,
            Thresholds = [.. GoLivePlan.Correctness(), Threshold.Create("bus.rooms_checked", ThresholdOperator.Greater, 0), Threshold.Create("bus.mismatched_rooms", ThresholdOperator.Equal, 0)],
            Asserts =
            [
                $"{o.Viewers:N0} viewers: {o.Rooms:N0} rooms with Zipf({o.Zipf:0.##}) sizes (largest {cold.Max():N0}, {cold.Count(c => c > 0):N0} with viewers) plus a hot room of {o.HotViewers:N0}",
                $"gifts for {giftsFor.TotalSeconds:0.#} s: {o.GiftRate:0.#}/s into the hot room, {o.RoomGiftRate:0.##}/s into each of the {sendingRooms.Length} largest other rooms",
                "NATS delivers each room event once per gateway with members of the room (bus.mismatched_rooms == 0, from /subsz per-subscription counts); no gift lost or twice",
                "reported: total and per-room deliveries/s, bus messages per room event against gateways with members",
            ],
            Finish = _ =>
            {
                var (expected, lost, missing) = run.AccountGifts();
                var m = run.Metrics;
                return
                [
                    .. figures,
                    new("gifts", $"{run.GiftsAcked.Value:N0} acknowledged ({Figures.Outcomes(m, "gift.send")}); owed {expected:N0}, lost {lost:N0} (at {missing} viewers), duplicated {run.Crowd.Duplicated.Value:N0}"),
                    new("gift delivery latency", Figures.Histogram(m, "gift")),
                    new("joins", Figures.Outcomes(m, "join")),
                ];
            },
        };
    }

    private static IEnumerable<KeyValuePair<string, string>> Compare(SpikeRun run, string[] rooms, int hot, BusSnapshot? before, BusSnapshot? after,
        Dictionary<SpikeViewer, long>? eventsBefore, double seconds, Counter mismatched, Counter checkedRooms, Counter hotDeliveries)
    {
        if (before is null || after is null || eventsBefore is null)
        {
            run.Runner.Note("bus: NATS monitoring did not answer (GET /subsz): bus messages per room event not measured");
            return [new("bus messages per room event", "not measured: NATS monitoring (/subsz) did not answer")];
        }

        var members = run.Crowd.Viewers.Where(v => v.IsConnected && eventsBefore.ContainsKey(v)).GroupBy(v => v.RoomId).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
        var senders = run.Senders.GroupBy(s => s.RoomId).ToDictionary(g => g.Key, g => g.Select(s => s.Gateway).ToArray(), StringComparer.Ordinal);
        var perRoom = new List<(string Room, double DeliveriesPerSecond, double Copies, int Gateways, int Subscriptions)>();
        var bad = new List<string>();
        foreach (var room in rooms)
        {
            if (!members.TryGetValue(room, out var viewers))
            {
                continue;
            }

            var events = viewers.Max(v => v.Events - eventsBefore[v]);
            var delivered = viewers.Sum(v => v.Events - eventsBefore[v]);
            var gateways = viewers.Select(v => v.Gateway?.Port).Concat(senders.GetValueOrDefault(room, []).Select(g => g?.Port)).Where(p => p is not null).Distinct().Count();
            var (msgsAfter, subs) = after.Rooms.GetValueOrDefault(room);
            var (msgsBefore, _) = before.Rooms.GetValueOrDefault(room);
            if (events <= 0)
            {
                continue;
            }

            var copies = (double)(msgsAfter - msgsBefore) / events;
            perRoom.Add((room, delivered / seconds, copies, gateways, subs));
            if (Math.Abs(copies - gateways) > 0.05 || subs != gateways)
            {
                bad.Add(string.Create(CultureInfo.InvariantCulture, $"{room}: {copies:0.##} copies/event, {subs} subscriptions, {gateways} gateways with members"));
            }
        }

        checkedRooms.Set(perRoom.Count);
        mismatched.Set(bad.Count);
        foreach (var line in bad.Take(10))
        {
            run.Runner.Note("bus mismatch: " + line);
        }

        var hotRoom = perRoom.FirstOrDefault(r => r.Room == rooms[hot]);
        hotDeliveries.Set((long)(hotRoom.DeliveriesPerSecond * seconds));
        var top = perRoom.OrderByDescending(r => r.DeliveriesPerSecond).Take(8)
            .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Room[(r.Room.LastIndexOf('-') + 1)..]} {r.DeliveriesPerSecond:N0}/s ({r.Copies:0.##} copies/event, {r.Gateways} gw)"));
        return
        [
            new("deliveries/s in the gift window", string.Create(CultureInfo.InvariantCulture, $"total {perRoom.Sum(r => r.DeliveriesPerSecond):N0}; hot room {hotRoom.DeliveriesPerSecond:N0}; rooms with traffic {perRoom.Count(r => r.DeliveriesPerSecond > 0):N0}")),
            new("busiest rooms", string.Join("; ", top)),
            new("bus messages per room event", string.Create(CultureInfo.InvariantCulture, $"{perRoom.Count:N0} rooms with events checked: {bad.Count} where copies per event ≠ gateways with members; mean {(perRoom.Count == 0 ? 0 : perRoom.Average(r => r.Copies)):0.##} copies for {(perRoom.Count == 0 ? 0 : perRoom.Average(r => r.Gateways)):0.##} gateways")),
        ];
    }
}
