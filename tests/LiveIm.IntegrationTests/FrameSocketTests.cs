using System.Net.WebSockets;
using System.Text;
using LiveIm.RoomGateway.Delivery;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The wrapper through which the fan-out writes frames to a connection's WebSocket beside SignalR's own sends: whole
/// messages only, never a frame between the fragments of one of SignalR's, and a failed send frees the socket.
/// </summary>
public sealed class FrameSocketTests
{
    [Fact]
    public async Task A_frame_waits_while_SignalR_is_between_the_fragments_of_a_message()
    {
        var inner = new RecordingSocket();
        var socket = new FrameSocket(inner);
        await socket.SendAsync(Bytes("part1"), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None);

        var frame = socket.SendRecordAsync(Bytes("frame"), FrameFormat.Json);
        await Task.Delay(50);
        Assert.False(frame.IsCompleted, "the frame must not go out between two fragments");

        await socket.SendAsync(Bytes("part2"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        await frame;
        Assert.Equal(["part1/more", "part2/end", "frame/end"], inner.Sent);
    }

    [Fact]
    public async Task SignalR_waits_for_a_frame_the_transport_has_not_taken_yet()
    {
        var inner = new RecordingSocket();
        var socket = new FrameSocket(inner);
        var gate = inner.HoldNextSend();
        var frame = socket.SendRecordAsync(Bytes("frame"), FrameFormat.Json);
        Assert.False(frame.IsCompleted);

        var ping = socket.SendAsync(Bytes("ping"), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(ping.IsCompleted, "SignalR's message must wait until the frame's send completes");

        gate.SetResult();
        await frame;
        await ping;
        Assert.Equal(["frame/end", "ping/end"], inner.Sent);
    }

    [Fact]
    public async Task A_frame_whose_send_fails_throws_and_frees_the_socket_for_the_next_send()
    {
        var inner = new RecordingSocket { FailNext = true };
        var socket = new FrameSocket(inner);
        await Assert.ThrowsAsync<WebSocketException>(async () => await socket.SendRecordAsync(Bytes("lost"), FrameFormat.Json));
        await socket.SendRecordAsync(Bytes("next"), FrameFormat.Json);

        inner.FailNext = true;
        await Assert.ThrowsAsync<WebSocketException>(async () => await socket.SendAsync(Bytes("half"), WebSocketMessageType.Text, endOfMessage: false, CancellationToken.None));
        await socket.SendRecordAsync(Bytes("after"), FrameFormat.Json).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(["next/end", "after/end"], inner.Sent);
    }

    [Fact]
    public async Task Frames_from_many_threads_never_land_inside_a_fragmented_message()
    {
        var inner = new RecordingSocket { Yield = true };
        var socket = new FrameSocket(inner);
        var signalR = Task.Run(async () =>
        {
            for (var m = 0; m < 200; m++)
            {
                for (var f = 0; f < 3; f++)
                {
                    await socket.SendAsync(Bytes($"m{m}f{f}"), WebSocketMessageType.Text, endOfMessage: f == 2, CancellationToken.None);
                }
            }
        });
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await socket.SendRecordAsync(Bytes($"w{w}-{i}"), FrameFormat.Json);
            }
        })).ToArray();
        await Task.WhenAll(writers.Append(signalR)).WaitAsync(TimeSpan.FromSeconds(30));

        var sent = inner.Sent;
        Assert.Equal(200 * 3 + 4 * 300, sent.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            if (sent[i].EndsWith("/more", StringComparison.Ordinal))
            {
                Assert.StartsWith(sent[i][..sent[i].IndexOf('f', StringComparison.Ordinal)], sent[i + 1], StringComparison.Ordinal);
            }
        }

        for (var w = 0; w < 4; w++)
        {
            var mine = sent.Where(s => s.StartsWith($"w{w}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, 300).Select(i => $"w{w}-{i}/end"), mine); // each writer's frames keep their order
        }
    }

    private static ReadOnlyMemory<byte> Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>A WebSocket that records what it was asked to send; it can fail or hold a send.</summary>
    private sealed class RecordingSocket : WebSocket
    {
        private readonly List<string> _sent = new();
        private TaskCompletionSource? _hold;
        private int _sending;

        public bool FailNext { get; set; }

        public bool Yield { get; init; }

        public List<string> Sent
        {
            get
            {
                lock (_sent)
                {
                    return _sent.ToList();
                }
            }
        }

        public override WebSocketCloseStatus? CloseStatus => null;

        public override string? CloseStatusDescription => null;

        public override WebSocketState State => WebSocketState.Open;

        public override string? SubProtocol => null;

        public TaskCompletionSource HoldNextSend() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _sending, 1) != 0)
            {
                throw new InvalidOperationException("two sends at once");
            }

            try
            {
                if (FailNext)
                {
                    FailNext = false;
                    throw new WebSocketException("send failed");
                }

                lock (_sent)
                {
                    _sent.Add(Encoding.UTF8.GetString(buffer.Span) + ((messageFlags & WebSocketMessageFlags.EndOfMessage) != 0 ? "/end" : "/more"));
                }
            }
            finally
            {
                if (_hold is null && !Yield)
                {
                    Volatile.Write(ref _sending, 0);
                }
            }

            if (_hold is { } hold)
            {
                _hold = null;
                return Release(hold.Task);
            }

            return Yield ? Release(Task.Run(static () => { })) : ValueTask.CompletedTask;
        }

        public override ValueTask SendAsync(ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer, messageType, endOfMessage ? WebSocketMessageFlags.EndOfMessage : WebSocketMessageFlags.None, cancellationToken);

        public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
            SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

        public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Abort()
        {
        }

        public override void Dispose()
        {
        }

        private async ValueTask Release(Task pending)
        {
            await pending;
            Volatile.Write(ref _sending, 0);
        }
    }
}
