using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Writes one tick to a room's members: the tick's events as frames of at most <see cref="FanoutOptions.MaxFrameBytes"/>
/// (usually one), each built once and offered, as the same bytes, to every member, shard by shard; in MessagePack too
/// when a member speaks it (<see cref="RoomFrame.MessageFor"/>: built by the first such member, lazily). A big room is
/// walked in steps on the thread pool (<see cref="ShardWalk"/>), a small one at once on the flush's thread. A member
/// that cannot take a frame handles that alone (<see cref="RoomMember.Offer"/>); the walk never waits for a client.
/// </summary>
internal sealed class RoomFanout
{
    internal static readonly MemberShards.Visitor<OfferState> OfferVisitor = static (RoomMember member, ref OfferState state) =>
    {
        if (member.Offer(state.Frame.Full, state.Frame.ReliableOnly) is { } given)
        {
            if (ReferenceEquals(given, state.Frame.Full))
            {
                state.Totals.FullRecipients++;
                state.Totals.FullBytes += given.LengthIn(member.Format);
            }
            else
            {
                state.Totals.ReliableRecipients++;
                state.Totals.ReliableBytes += given.LengthIn(member.Format);
            }
        }
    };

    private readonly MemberShards _members;
    private readonly FanoutOptions _options;
    private readonly FanoutMetrics _metrics;

    public RoomFanout(MemberShards members, FanoutOptions options, FanoutMetrics metrics)
    {
        _members = members;
        _options = options;
        _metrics = metrics;
    }

    /// <summary>
    /// Writes <paramref name="events"/> (one tick, in order) as one frame, or several when it is too big for one, and
    /// calls <paramref name="written"/> once every member was offered every frame: before returning for a room of at
    /// most <see cref="FanoutOptions.ParallelFanoutThreshold"/> members, later, on a thread-pool thread, for a bigger one.
    /// </summary>
    public void WriteTick(List<TickEvent> events, Action written)
    {
        var frames = new List<OfferedFrame>(1);
        var walking = false;
        try
        {
            foreach (var piece in FramePieces.Of(events, _options.MaxFrameBytes))
            {
                _metrics.Written(piece);
                frames.Add(Build(piece));
            }

            if (_members.Count > _options.ParallelFanoutThreshold)
            {
                ShardWalk.Start(_members, frames, Environment.ProcessorCount, walk =>
                {
                    try
                    {
                        for (var i = 0; i < walk.Frames.Count; i++)
                        {
                            Record(walk.Frames[i], walk.Totals(i));
                        }
                    }
                    finally
                    {
                        Release(walk.Frames);
                        written();
                    }
                });
                walking = true;
                return;
            }

            foreach (var frame in frames)
            {
                Record(frame, WalkAll(frame));
            }
        }
        finally
        {
            if (!walking)
            {
                Release(frames);
                written();
            }
        }
    }

    /// <summary>Writes one frame to every member on this thread (benchmarks and tests).</summary>
    public void WriteFrame(List<TickEvent> events)
    {
        var frame = Build(events);
        try
        {
            Record(frame, WalkAll(frame));
        }
        finally
        {
            Release([frame]);
        }
    }

    // The frame, and its reliable-only twin when it mixes lanes (for members that dropped to the reliable lanes).
    private OfferedFrame Build(List<TickEvent> events)
    {
        var full = RoomFrame.Build(events);
        RoomFrame? reliableOnly = null;
        if (full.Counts.Reliable > 0 && full.Counts.BestEffort > 0)
        {
            reliableOnly = RoomFrame.Build(events.FindAll(e => e.IsReliable));
        }
        else if (full.Counts.BestEffort == 0)
        {
            reliableOnly = full;
        }

        _metrics.Tick();
        return new OfferedFrame(full, reliableOnly);
    }

    private FanoutTotals WalkAll(OfferedFrame frame)
    {
        var state = new OfferState(frame);
        for (var shard = 0; shard < _members.ShardCount; shard++)
        {
            _members.ForEachInShard(shard, ref state, OfferVisitor);
        }

        return state.Totals;
    }

    private void Record(OfferedFrame frame, FanoutTotals totals)
    {
        _metrics.Delivered(frame.Full.Counts, totals.FullRecipients, totals.FullRecipients, totals.FullBytes);
        if (frame.ReliableOnly is { } reliable && !ReferenceEquals(reliable, frame.Full))
        {
            _metrics.Delivered(reliable.Counts, totals.ReliableRecipients, totals.ReliableRecipients, totals.ReliableBytes);
        }
    }

    private static void Release(IReadOnlyList<OfferedFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Full.Release();
            if (frame.ReliableOnly is { } reliable && !ReferenceEquals(reliable, frame.Full))
            {
                reliable.Release();
            }
        }
    }
}
