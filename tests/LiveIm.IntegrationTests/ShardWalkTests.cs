using System.IO.Pipelines;
using System.Text;
using System.Text.RegularExpressions;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A big room's ticks are walked in steps on the thread pool (<see cref="ShardWalk"/>): every member still gets every
/// frame, in order, also when a tick is cut into several frames, and the room's next flush waits for the walk's end.
/// </summary>
public sealed partial class ShardWalkTests
{
    private static ReadOnlyMemory<byte> GiftJson(long seq) => RoomEventJson.Serialize(new RoomEvent
    {
        RoomId = "walk", Id = seq, Seq = seq, Lane = Lane.Gift, Type = RoomEventTypes.Gift,
        Gift = new GiftInfo("rose", 1), From = new EventSender("u" + seq, new string('n', 120), Roles.Viewer),
        ServerTs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    });

    [Theory]
    [InlineData(1)] // every room walked, shard by shard
    [InlineData(40)] // the threshold in between: the walk and the flush thread's loop take turns as members join
    public async Task Every_member_of_a_walked_room_gets_every_frame_in_order(int threshold)
    {
        const int Gifts = 300;
        var options = new FanoutOptions { ParallelFanoutThreshold = threshold, MaxFrameBytes = 1024, TickMs = 20, ReliableTickMs = 20 };
        var metrics = new FanoutMetrics();
        using var room = new LocalRoom("walk", options, metrics);
        room.SetBaseline(0);
        var members = Enumerable.Range(0, 80).Select(_ => new RecordingMember(options, metrics)).ToList();
        foreach (var member in members.Take(30))
        {
            room.Add(member.RoomMember);
        }

        for (var seq = 1; seq <= Gifts; seq++)
        {
            Assert.True(room.Receive(GiftJson(seq)));
            if (seq == 20)
            {
                // Late joiners get what follows their join (members are added while walks run).
                foreach (var member in members.Skip(30))
                {
                    room.Add(member.RoomMember);
                }
            }
        }

        await Eventually.TrueAsync(() => members.All(m => m.LastSeq() == Gifts), TimeSpan.FromSeconds(20), "every member gets the last gift");
        foreach (var (member, index) in members.Select((m, i) => (m, i)))
        {
            var seqs = member.Seqs();
            var first = index < 30 ? 1 : seqs[0];
            Assert.Equal(Enumerable.Range((int)first, Gifts - (int)first + 1).Select(i => (long)i), seqs);
            Assert.All(member.MessageLengths(), length => Assert.True(length <= options.MaxFrameBytes + 512, $"a frame of {length} bytes"));
        }

        Assert.True(members[0].MessageLengths().Count > Gifts * 200 / options.MaxFrameBytes, "ticks were cut into several frames");
    }

    [GeneratedRegex("\"seq\":(\\d+)")]
    private static partial Regex SeqPattern();

    /// <summary>A member whose connection records what it is given.</summary>
    private sealed class RecordingMember
    {
        private readonly RecordingWriter _output = new();

        public RecordingMember(FanoutOptions options, FanoutMetrics metrics)
        {
            RoomMember = new RoomMember(TestHubConnection.Json(_output), new MemberIdentity("u", "U", Roles.Viewer, null), options, metrics);
        }

        public RoomMember RoomMember { get; }

        public List<long> Seqs() => SeqPattern().Matches(_output.Text()).Select(m => long.Parse(m.Groups[1].Value)).ToList();

        public long LastSeq() => Seqs() is { Count: > 0 } seqs ? seqs[^1] : 0;

        public List<int> MessageLengths() => _output.Text().Split('\u001e', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.UTF8.GetByteCount).ToList();
    }

    private sealed class RecordingWriter : PipeWriter
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _all = new();
        private byte[] _buffer = new byte[4096];
        private int _written;

        public string Text()
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_all.GetBuffer(), 0, (int)_all.Length);
            }
        }

        public override void Advance(int bytes) => _written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (_written + Math.Max(1, sizeHint) > _buffer.Length)
            {
                Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _written + sizeHint));
            }

            return _buffer.AsMemory(_written);
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            lock (_lock)
            {
                _all.Write(_buffer, 0, _written);
            }

            _written = 0;
            return ValueTask.FromResult(default(FlushResult));
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
