using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Rooms;
using LiveIm.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.Benchmarks;

/// <summary>The per-tick frame build: N events of a room tick into one SignalR frame (pooled buffer).</summary>
[MemoryDiagnoser]
public class FrameBuildBenchmarks
{
    private List<TickEvent> _events = null!;

    [Params(1, 20, 200)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup() => _events = Enumerable.Range(1, Events).Select(i => Fixtures.Chat(i)).ToList();

    [Benchmark]
    public int BuildAndRelease()
    {
        var frame = RoomFrame.Build(_events);
        var length = frame.Length;
        frame.Release();
        return length;
    }
}

/// <summary>
/// One room tick offered to every member: the frame built once, then each member's write into its SignalR
/// connection (a real HubConnectionContext whose transport output is a counting, discarding PipeWriter, so the
/// figures are the engine's and SignalR's own, not a test pipe's buffer management). The baseline is the stock way: the same
/// events written as one <c>SendAsync</c>-style message per event per member (a HubMessage serialized once per
/// event and written to every connection), which is what Clients.Group(room).SendAsync does.
/// </summary>
[MemoryDiagnoser]
public class TickFanoutBenchmarks
{
    private const int EventsPerTick = 10;
    private LocalRoom _room = null!;
    private List<Member> _members = null!;
    private List<TickEvent> _events = null!;

    [Params(1, 1_000, 10_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new FanoutOptions { TickMs = 1000, ParallelFanoutThreshold = int.MaxValue };
        var metrics = new FanoutMetrics();
        _room = new LocalRoom("bench", options, metrics);
        _members = new List<Member>(Members);
        for (var i = 0; i < Members; i++)
        {
            var member = new Member(options, metrics);
            _room.Add(member.RoomMember);
            _members.Add(member);
        }

        _events = Enumerable.Range(1, EventsPerTick).Select(i => Fixtures.Chat(i)).ToList();
    }

    [GlobalCleanup]
    public void Cleanup() => _room.Dispose();

    /// <summary>LiveIm: one frame per tick, the same bytes to every member.</summary>
    [Benchmark]
    public void MergedTick()
    {
        _room.FanOutTick(_events);
        Drain();
    }

    /// <summary>Stock SignalR: one message per event, each written to every member.</summary>
    [Benchmark(Baseline = true)]
    public async Task MessagePerEvent()
    {
        foreach (var e in _events)
        {
            var message = new SerializedHubMessage(new InvocationMessage("events", new object?[] { new[] { System.Text.Json.JsonDocument.Parse(e.Json).RootElement } }));
            foreach (var member in _members)
            {
                await member.Connection.WriteAsync(message);
            }
        }

        Drain();
    }

    private void Drain()
    {
        // Nothing to drain: the transport discards what it is given (see DiscardingWriter).
    }

    private sealed class Member
    {
        public Member(FanoutOptions options, FanoutMetrics metrics)
        {
            Connection = TestHubConnection.Json(new DiscardingWriter());
            RoomMember = new RoomMember(Connection, new MemberIdentity("u", "U", Roles.Viewer, null), options, metrics);
        }

        public HubConnectionContext Connection { get; }

        public RoomMember RoomMember { get; }
    }

    /// <summary>A transport that takes every byte at once and keeps none (one reusable buffer per connection).</summary>
    private sealed class DiscardingWriter : PipeWriter
    {
        private byte[] _buffer = new byte[4096];

        public long Written { get; private set; }

        public override void Advance(int bytes) => Written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            if (sizeHint > _buffer.Length)
            {
                _buffer = new byte[sizeHint];
            }

            return _buffer;
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(default(FlushResult));

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}

internal static class Fixtures
{
    public static TickEvent Chat(long id) => new(RoomEventJson.Serialize(new RoomEvent
    {
        RoomId = "bench", Id = id, Lane = Lane.Chat, Type = RoomEventTypes.Chat,
        Text = new string('x', 80), From = new EventSender("u" + id, "User " + id, Roles.Viewer), ServerTs = 1_700_000_000_000,
    }), null, Lane.Chat);
}
