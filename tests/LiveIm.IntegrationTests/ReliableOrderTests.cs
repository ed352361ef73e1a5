using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>A room's reliable events put in seq order, each once (no servers: the order is a plain data structure).</summary>
public sealed class ReliableOrderTests
{
    private static TickEvent Gift(long seq) => new(System.Text.Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}"), seq, Lane.Gift);

    private static List<long> Offer(ReliableOrder order, params long[] seqs)
    {
        var released = new List<TickEvent>();
        foreach (var seq in seqs)
        {
            order.Offer(Gift(seq), seq, released);
        }

        return released.Select(e => e.Seq!.Value).ToList();
    }

    [Fact]
    public void Events_that_arrive_out_of_order_are_released_in_seq_order()
    {
        var order = new ReliableOrder();
        order.SetBaseline(7, new List<TickEvent>());
        Assert.Equal([], Offer(order, 9, 10));
        Assert.Equal(8, order.MissingSeq);
        Assert.Equal([8, 9, 10, 11], Offer(order, 8, 11));
        Assert.Equal(0, order.MissingSeq);
        Assert.Equal(11, order.Released);
    }

    [Fact]
    public void A_seq_seen_twice_is_refused_whether_released_or_still_waiting()
    {
        var order = new ReliableOrder();
        order.SetBaseline(0, new List<TickEvent>());
        var released = new List<TickEvent>();
        Assert.True(order.Offer(Gift(1), 1, released));
        Assert.False(order.Offer(Gift(1), 1, released));
        Assert.True(order.Offer(Gift(3), 3, released));
        Assert.False(order.Offer(Gift(3), 3, released));
        Assert.Equal([1L], released.Select(e => e.Seq!.Value));
    }

    [Fact]
    public void Events_before_the_baseline_wait_and_those_it_covers_are_dropped()
    {
        var order = new ReliableOrder();
        Assert.Equal([], Offer(order, 5, 3, 6, 4));
        Assert.False(order.HasBaseline);
        Assert.Equal(0, order.MissingSeq);
        var released = new List<TickEvent>();
        order.SetBaseline(4, released);
        Assert.Equal([5L, 6L], released.Select(e => e.Seq!.Value));
        Assert.False(order.Offer(Gift(4), 4, new List<TickEvent>())); // history the joiners already got
    }

    [Fact]
    public void A_gap_given_up_releases_what_waited_behind_it_and_a_late_arrival_is_then_dropped()
    {
        var order = new ReliableOrder();
        order.SetBaseline(10, new List<TickEvent>());
        Offer(order, 13, 14);
        var released = new List<TickEvent>();
        Assert.Equal(2, order.SkipGap(released));
        Assert.Equal([13L, 14L], released.Select(e => e.Seq!.Value));
        Assert.False(order.Offer(Gift(11), 11, new List<TickEvent>()));
    }

    [Fact]
    public void A_flood_of_far_future_seqs_cannot_grow_the_buffer_past_its_bound()
    {
        var order = new ReliableOrder();
        order.SetBaseline(0, new List<TickEvent>());
        var released = new List<TickEvent>();
        for (long seq = 1_000_000; seq < 1_000_000 + (ReliableOrder.MaxEarly * 6); seq += 3)
        {
            order.Offer(Gift(seq), seq, released);
            Assert.True(order.EarlyCount <= ReliableOrder.MaxEarly);
        }

        Assert.NotEmpty(released); // the overflow gave the oldest gap up and released in order
        Assert.True(released.Zip(released.Skip(1)).All(p => p.First.Seq < p.Second.Seq));
    }

    [Fact]
    public void The_baseline_is_set_once()
    {
        var order = new ReliableOrder();
        order.SetBaseline(20, new List<TickEvent>());
        order.SetBaseline(5, new List<TickEvent>());
        Assert.Equal(20, order.Released);
    }
}

/// <summary>A room whose bus lost or reordered a gift: the gap is read back from history, or given up, never waited on forever.</summary>
public sealed class LocalRoomGapTests
{
    private static ReadOnlyMemory<byte> GiftJson(string room, long seq) => RoomEventJson.Serialize(new RoomEvent
    {
        RoomId = room, Id = seq, Seq = seq, Lane = Lane.Gift, Type = RoomEventTypes.Gift,
        Gift = new GiftInfo("rose", 1), ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    });

    [Fact]
    public async Task A_gift_missing_on_the_bus_is_read_back_after_the_reorder_wait()
    {
        using var room = new LocalRoom("r", new FanoutOptions { ReorderWaitMs = 20, GapGiveUpMs = 5000 }, new FanoutMetrics());
        var asked = new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously);
        room.GapRepair = r => asked.TrySetResult(r.RepairFrom());
        room.SetBaseline(0);
        Assert.True(room.Receive(GiftJson("r", 1)));
        Assert.True(room.Receive(GiftJson("r", 3))); // 2 was lost
        Assert.Equal(1, await asked.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        // The history page after seq 1 holds 2 and 3; 3 already waits in the room, so only 2 is new.
        Assert.Equal(1, room.DeliverRepair([new TickEvent(GiftJson("r", 2), 2, Lane.Gift), new TickEvent(GiftJson("r", 3), 3, Lane.Gift)], 1));
        Assert.Equal(3, room.RepairFrom());
        Assert.False(room.Receive(GiftJson("r", 2))); // the late bus copy is a duplicate now
    }

    [Fact]
    public async Task A_gap_history_cannot_fill_is_given_up_after_GapGiveUpMs()
    {
        using var room = new LocalRoom("r", new FanoutOptions { ReorderWaitMs = 10, GapGiveUpMs = 60 }, new FanoutMetrics());
        var reads = 0;
        room.GapRepair = _ => Interlocked.Increment(ref reads); // RoomService never answers
        room.SetBaseline(0);
        room.Receive(GiftJson("r", 2));
        await LiveIm.Testing.Eventually.TrueAsync(() => room.RepairFrom() == 2, TimeSpan.FromSeconds(5), "seq 1 is given up and 2 released");
        Assert.True(reads >= 1);
    }

    [Fact]
    public void A_history_page_that_starts_past_the_missing_seq_gives_it_up_at_once()
    {
        using var room = new LocalRoom("r", new FanoutOptions(), new FanoutMetrics());
        room.SetBaseline(0);
        room.Receive(GiftJson("r", 9));
        room.DeliverRepair([new TickEvent(GiftJson("r", 5), 5, Lane.Gift)], 0); // 1..4 trimmed from history
        Assert.Equal(5, room.RepairFrom());
        var next = new[] { 6L, 7L, 8L }.Select(seq => new TickEvent(GiftJson("r", seq), seq, Lane.Gift)).ToList();
        Assert.Equal(3, room.DeliverRepair(next, 5));
        Assert.Equal(9, room.RepairFrom()); // 9 waited behind the gap and went out with it
    }
}
