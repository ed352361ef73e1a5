using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Writes one tick to a room's members: the tick's events as frames of at most <see cref="FanoutOptions.MaxFrameBytes"/>
/// (usually one), each built once and offered, as the same bytes, to every member, shard by shard, in parallel for
/// big rooms; in MessagePack too when a member speaks it (<see cref="RoomFrame.MessageFor"/>: built by the first such
/// member, lazily). A member that cannot take a frame handles that alone (<see cref="RoomMember.Offer"/>); the walk never
/// waits for a client.
/// </summary>
internal sealed class RoomFanout
{
    private static readonly MemberShards.Visitor<FanoutState> OfferVisitor = static (RoomMember member, ref FanoutState state) =>
    {
        if (member.Offer(state.Full, state.ReliableOnly) is { } given)
        {
            if (ReferenceEquals(given, state.Full))
            {
                state.FullRecipients++;
                state.FullBytes += given.LengthIn(member.Format);
            }
            else
            {
                state.ReliableRecipients++;
                state.ReliableBytes += given.LengthIn(member.Format);
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

    /// <summary>Writes <paramref name="events"/> (one tick, in order) as one frame, or several when it is too big for one.</summary>
    public void WriteTick(List<TickEvent> events)
    {
        foreach (var frame in FramePieces.Of(events, _options.MaxFrameBytes))
        {
            _metrics.Written(frame);
            WriteFrame(frame);
        }
    }

    /// <summary>
    /// Builds the frame once (and its reliable-only twin when it mixes lanes, for members that dropped to the
    /// reliable lanes) and offers it to every member.
    /// </summary>
    public void WriteFrame(List<TickEvent> events)
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
        try
        {
            long fullRecipients = 0, reliableRecipients = 0, fullBytes = 0, reliableBytes = 0;
            if (_members.Count > _options.ParallelFanoutThreshold && Environment.ProcessorCount > 1)
            {
                Parallel.For(0, _members.ShardCount, shard =>
                {
                    var state = new FanoutState(full, reliableOnly);
                    _members.ForEachInShard(shard, ref state, OfferVisitor);
                    Interlocked.Add(ref fullRecipients, state.FullRecipients);
                    Interlocked.Add(ref reliableRecipients, state.ReliableRecipients);
                    Interlocked.Add(ref fullBytes, state.FullBytes);
                    Interlocked.Add(ref reliableBytes, state.ReliableBytes);
                });
            }
            else
            {
                var state = new FanoutState(full, reliableOnly);
                for (var shard = 0; shard < _members.ShardCount; shard++)
                {
                    _members.ForEachInShard(shard, ref state, OfferVisitor);
                }

                fullRecipients = state.FullRecipients;
                reliableRecipients = state.ReliableRecipients;
                fullBytes = state.FullBytes;
                reliableBytes = state.ReliableBytes;
            }

            _metrics.Delivered(full.Counts, fullRecipients, fullRecipients, fullBytes);
            if (reliableOnly is not null && !ReferenceEquals(reliableOnly, full))
            {
                _metrics.Delivered(reliableOnly.Counts, reliableRecipients, reliableRecipients, reliableBytes);
            }
        }
        finally
        {
            full.Release();
            if (reliableOnly is not null && !ReferenceEquals(reliableOnly, full))
            {
                reliableOnly.Release();
            }
        }
    }

    private struct FanoutState(RoomFrame full, RoomFrame? reliableOnly)
    {
        public readonly RoomFrame Full = full;
        public readonly RoomFrame? ReliableOnly = reliableOnly;
        public long FullRecipients;
        public long ReliableRecipients;
        public long FullBytes; // in each member's own format (JSON or MessagePack)
        public long ReliableBytes;
    }
}
