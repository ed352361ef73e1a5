namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// A room's local members, split over shards that each have their own lock, so that a join storm (thousands of
/// adds a second) contends with a tick's fan-out only on one small shard at a time, never on the whole room.
/// Each shard is a dense array (the ready list): adds append, removes swap the last member into the hole, and a
/// tick walks the arrays without allocating.
/// </summary>
public sealed class MemberShards
{
    private readonly Shard[] _shards;
    private int _count;

    public MemberShards(int shardCount = 16)
    {
        _shards = new Shard[shardCount];
        for (var i = 0; i < shardCount; i++)
        {
            _shards[i] = new Shard();
        }
    }

    /// <summary>Number of shards.</summary>
    public int ShardCount => _shards.Length;

    /// <summary>Members in all shards.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Adds <paramref name="member"/> to the shard its <see cref="RoomMember.ShardSeed"/> picks. The seed is fixed for
    /// the member's life (and handed out round-robin, which keeps shards balanced), so a member that leaves and joins
    /// again during a tick's walk lands in the same shard and is visited at most once by that walk.
    /// </summary>
    public void Add(RoomMember member)
    {
        var index = (int)((uint)member.ShardSeed % (uint)_shards.Length);
        var shard = _shards[index];
        lock (shard)
        {
            if (shard.Count == shard.Members.Length)
            {
                Array.Resize(ref shard.Members, Math.Max(8, shard.Members.Length * 2));
            }

            member.Shard = index;
            member.Slot = shard.Count;
            shard.Members[shard.Count++] = member;
        }

        Interlocked.Increment(ref _count);
    }

    /// <summary>Removes <paramref name="member"/>; false when it was not here.</summary>
    public bool Remove(RoomMember member)
    {
        var index = member.Shard;
        if (index < 0 || index >= _shards.Length)
        {
            return false;
        }

        var shard = _shards[index];
        lock (shard)
        {
            var slot = member.Slot;
            if (slot < 0 || slot >= shard.Count || !ReferenceEquals(shard.Members[slot], member))
            {
                return false;
            }

            var last = shard.Members[--shard.Count];
            shard.Members[slot] = last;
            last.Slot = slot;
            shard.Members[shard.Count] = null!;
            member.Shard = -1;
            member.Slot = -1;
        }

        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>
    /// Calls <paramref name="visit"/> for every member of shard <paramref name="index"/> under that shard's lock
    /// (the visitor must not block: it only queues or writes without waiting). Returns how many were visited.
    /// </summary>
    public int ForEachInShard<TState>(int index, ref TState state, Visitor<TState> visit)
    {
        var shard = _shards[index];
        lock (shard)
        {
            var members = shard.Members;
            for (var i = 0; i < shard.Count; i++)
            {
                visit(members[i], ref state);
            }

            return shard.Count;
        }
    }

    /// <summary>A snapshot of every member (tests, diagnostics; allocates).</summary>
    public RoomMember[] Snapshot()
    {
        var all = new List<RoomMember>(Count);
        foreach (var shard in _shards)
        {
            lock (shard)
            {
                all.AddRange(shard.Members.AsSpan(0, shard.Count));
            }
        }

        return all.ToArray();
    }

    /// <summary>Visits one member.</summary>
    public delegate void Visitor<TState>(RoomMember member, ref TState state);

    private sealed class Shard
    {
        public RoomMember[] Members = [];
        public int Count;
    }
}
