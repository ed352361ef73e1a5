namespace LiveIm.LoadTest.Servers;

/// <summary>
/// A room of the raw server: its members as an array swapped on change (publishing reads it without a lock) and its
/// counters. Publishing hands the same frame to every member's queue; nothing waits for any socket.
/// </summary>
internal sealed class RawRoom
{
    private readonly object _gate = new();
    private RawConnection[] _members = [];
    private long _id;
    private long _seq;

    public RawRoom(string roomId)
    {
        RoomId = roomId;
    }

    /// <summary>The room id.</summary>
    public string RoomId { get; }

    /// <summary>Members now.</summary>
    public int Count => Volatile.Read(ref _members).Length;

    /// <summary>The last gift seq.</summary>
    public long Seq => Interlocked.Read(ref _seq);

    public long NextId() => Interlocked.Increment(ref _id);

    public long NextSeq() => Interlocked.Increment(ref _seq);

    public void Add(RawConnection member)
    {
        lock (_gate)
        {
            _members = [.. _members, member];
        }
    }

    public void Remove(RawConnection member)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_members, member);
            if (index >= 0)
            {
                _members = [.. _members.AsSpan(0, index), .. _members.AsSpan(index + 1)];
            }
        }
    }

    /// <summary>Queues <paramref name="frame"/> (built once) for every member.</summary>
    public void Publish(byte[] frame)
    {
        foreach (var member in Volatile.Read(ref _members))
        {
            member.Enqueue(frame);
        }
    }
}
