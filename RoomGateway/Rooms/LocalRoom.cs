using LiveIm.Core.Events;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// A room as one gateway holds it: its local members and the bus subscription that exists exactly while it has
/// members. Members are an immutable array swapped on change, so delivery reads a ready list without a lock.
/// (Sharded membership for join storms comes with the fan-out engine.)
/// </summary>
public sealed class LocalRoom
{
    private readonly object _membersGate = new();
    private readonly object _receiveGate = new();
    private RoomMember[] _members = [];

    public LocalRoom(string roomId)
    {
        RoomId = roomId;
    }

    /// <summary>The room id.</summary>
    public string RoomId { get; }

    /// <summary>Serializes subscribe/unsubscribe against joins and leaves.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The bus subscription while the room has members.</summary>
    public IAsyncDisposable? Subscription { get; set; }

    /// <summary>Set once the last member left and the room was retired; a join that finds it retired starts over.</summary>
    public bool Retired { get; set; }

    /// <summary>The room's seq when this gateway subscribed: live delivery (and repair) covers what comes after it.</summary>
    public long SnapshotSeq { get; set; }

    /// <summary>Reliable seqs already delivered (guarded by the receive lock).</summary>
    public SeqWindow Delivered { get; } = new();

    /// <summary>The current members (a snapshot).</summary>
    public RoomMember[] Members => Volatile.Read(ref _members);

    /// <summary>Local member count.</summary>
    public int Count => Members.Length;

    public void Add(RoomMember member)
    {
        lock (_membersGate)
        {
            _members = [.. _members, member];
        }
    }

    public bool Remove(RoomMember member)
    {
        lock (_membersGate)
        {
            var index = Array.IndexOf(_members, member);
            if (index < 0)
            {
                return false;
            }

            _members = [.. _members.AsSpan(0, index), .. _members.AsSpan(index + 1)];
            return true;
        }
    }

    /// <summary>
    /// Where a room event received from the bus is written to every local member: the frame is built once and
    /// shared. A reliable event already delivered (same seq) is dropped.
    /// </summary>
    public bool DeliverLive(ReadOnlyMemory<byte> json)
    {
        if (!RoomEventJson.TryReadRouting(json.Span, out _, out var seq, out var lane))
        {
            return false;
        }

        lock (_receiveGate)
        {
            if (Lane.IsReliable(lane!) && (seq is not { } s || !Delivered.TryMark(s)))
            {
                return false;
            }

            var frame = EventFrame.Single(json);
            foreach (var member in Members)
            {
                member.Deliver(frame, json, seq);
            }
        }

        return true;
    }

    /// <summary>Delivers reliable events read back from history, skipping those already delivered.</summary>
    public int DeliverRepair(IEnumerable<(ReadOnlyMemory<byte> Json, long Seq)> events)
    {
        lock (_receiveGate)
        {
            var fresh = new List<(ReadOnlyMemory<byte> Json, long? Seq)>();
            foreach (var (json, seq) in events)
            {
                if (Delivered.TryMark(seq))
                {
                    fresh.Add((json, seq));
                }
            }

            if (fresh.Count == 0)
            {
                return 0;
            }

            var frame = EventFrame.Build(fresh.Select(e => e.Json).ToArray());
            foreach (var member in Members)
            {
                member.DeliverBatch(frame, fresh);
            }

            return fresh.Count;
        }
    }

    /// <summary>Where a repair read should start.</summary>
    public long RepairFrom()
    {
        lock (_receiveGate)
        {
            return Delivered.ContiguousFrom(SnapshotSeq);
        }
    }
}
