using System.Runtime.ExceptionServices;
using LiveIm.RoomGateway.Delivery;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// One tick of a big room offered to its members by a few workers on the thread pool, one membership shard per step,
/// each worker queueing its next step behind what its last step made runnable.
/// </summary>
/// <remarks>
/// <para>
/// Why in steps: a frame offered to a member lands in that connection's socket pipe, in a 4 KB block of Kestrel's
/// memory pool, until the socket's I/O queue sends it; the I/O queues are thread-pool work items too. Walking all the
/// members in one go (a <c>Parallel.For</c> that holds every core) left a block in nearly every connection's pipe
/// before any was sent, and the pool keeps the blocks of its peak (it gives back a few percent every 10 s): about
/// 2 KB per connection of a 10,000-member room, held while the room idles. A worker that queues its next shard at
/// the back of the thread pool's global queue lets the I/O queues its shard woke send first, so what is in flight is
/// about one shard per worker; the work is the same, and the first members' frames leave sooner.
/// </para>
/// <para>
/// Order: worker <c>w</c> owns shards <c>w</c>, <c>w + workers</c>, ... and walks them frame after frame, so a member
/// (whose shard is fixed for its life) gets a tick's frames in order, and never from two workers at once.
/// </para>
/// </remarks>
internal sealed class ShardWalk
{
    private readonly MemberShards _members;
    private readonly IReadOnlyList<OfferedFrame> _frames;
    private readonly Worker[] _workers;
    private readonly Action<ShardWalk> _done;
    private int _running;
    private ExceptionDispatchInfo? _failure;

    private ShardWalk(MemberShards members, IReadOnlyList<OfferedFrame> frames, int workers, Action<ShardWalk> done)
    {
        _members = members;
        _frames = frames;
        _done = done;
        _workers = new Worker[Math.Clamp(workers, 1, members.ShardCount)];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Worker(this, i);
        }

        _running = _workers.Length;
    }

    /// <summary>The frames walked, in order.</summary>
    public IReadOnlyList<OfferedFrame> Frames => _frames;

    /// <summary>
    /// Starts walking <paramref name="frames"/> over <paramref name="members"/> with <paramref name="workers"/> workers;
    /// <paramref name="done"/> runs once, on the thread of the last worker to finish, with every member offered every
    /// frame (the totals are in <see cref="Totals"/>). A step that throws ends its worker's walk; the exception is
    /// thrown again after <paramref name="done"/> ran.
    /// </summary>
    public static void Start(MemberShards members, IReadOnlyList<OfferedFrame> frames, int workers, Action<ShardWalk> done)
    {
        var walk = new ShardWalk(members, frames, workers, done);
        foreach (var worker in walk._workers)
        {
            ThreadPool.UnsafeQueueUserWorkItem(worker, preferLocal: false);
        }
    }

    /// <summary>What frame <paramref name="frame"/> was given to, over all workers (once the walk is done).</summary>
    public FanoutTotals Totals(int frame)
    {
        var totals = default(FanoutTotals);
        foreach (var worker in _workers)
        {
            totals.Add(worker.Totals[frame]);
        }

        return totals;
    }

    private void WorkerDone(Exception? failure)
    {
        if (failure is not null)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(failure), null);
        }

        if (Interlocked.Decrement(ref _running) != 0)
        {
            return;
        }

        try
        {
            _done(this);
        }
        finally
        {
            _failure?.Throw();
        }
    }

    private sealed class Worker : IThreadPoolWorkItem
    {
        private readonly ShardWalk _walk;
        private readonly int _firstShard;
        private int _frame;
        private int _shard;

        public Worker(ShardWalk walk, int index)
        {
            _walk = walk;
            _firstShard = index;
            _shard = index;
            Totals = new FanoutTotals[walk._frames.Count];
        }

        public FanoutTotals[] Totals { get; }

        public void Execute()
        {
            var walk = _walk;
            try
            {
                if (_frame < walk._frames.Count && _shard < walk._members.ShardCount)
                {
                    var frame = walk._frames[_frame];
                    var state = new OfferState(frame);
                    walk._members.ForEachInShard(_shard, ref state, RoomFanout.OfferVisitor);
                    Totals[_frame].Add(state.Totals);
                    _shard += walk._workers.Length;
                    if (_shard >= walk._members.ShardCount)
                    {
                        _shard = _firstShard;
                        _frame++;
                    }
                }

                if (_frame < walk._frames.Count)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
                    return;
                }
            }
            catch (Exception ex)
            {
                walk.WorkerDone(ex);
                return;
            }

            walk.WorkerDone(null);
        }
    }
}

/// <summary>A frame as the fan-out offers it: the whole frame, and the reliable-only twin for members on the reliable lanes.</summary>
internal readonly record struct OfferedFrame(RoomFrame Full, RoomFrame? ReliableOnly);

/// <summary>What one frame was given to: recipients and bytes (in each member's own format) of the frame and of its reliable twin.</summary>
internal struct FanoutTotals
{
    public long FullRecipients;
    public long ReliableRecipients;
    public long FullBytes;
    public long ReliableBytes;

    public void Add(in FanoutTotals other)
    {
        FullRecipients += other.FullRecipients;
        ReliableRecipients += other.ReliableRecipients;
        FullBytes += other.FullBytes;
        ReliableBytes += other.ReliableBytes;
    }
}

/// <summary>A walk's state while it visits one shard for one frame.</summary>
internal struct OfferState(OfferedFrame frame)
{
    public readonly OfferedFrame Frame = frame;
    public FanoutTotals Totals;
}
