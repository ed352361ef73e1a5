using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using LiveIm.LoadTest.Servers;
using Xunit;

namespace LiveIm.LoadTest.Tests;

public sealed class RawConnectionTests
{
    [Fact]
    public async Task A_backlog_is_sent_whole_and_in_order_and_the_grown_queue_is_replaced_after_it_drained()
    {
        var (server, client) = await WebSocketPairAsync();
        var connection = new RawConnection(server, new RawRooms());
        using var stop = new CancellationTokenSource();
        var running = connection.RunAsync(stop.Token);

        // The client reads nothing yet: the kernel buffers (a few MB) fill and the rest of the 32 MB waits in the
        // connection's queue, below its 8,192-frame limit.
        const int Frames = 8_000;
        for (var i = 0; i < Frames; i++)
        {
            connection.Enqueue(Frame(i, 4_096));
        }

        await Task.Delay(200);
        var received = await ReadFramesAsync(client, Frames);
        Assert.Equal(Enumerable.Range(0, Frames), received);
        Assert.Equal(0, connection.Dropped);
        await LiveIm.Testing.Eventually.TrueAsync(() => connection.QueueSwaps >= 1, TimeSpan.FromSeconds(5), "the grown queue is replaced");

        // The fresh queue carries on.
        for (var i = Frames; i < Frames + 10; i++)
        {
            connection.Enqueue(Frame(i, 64));
        }

        Assert.Equal(Enumerable.Range(Frames, 10), await ReadFramesAsync(client, 10));

        client.Abort();
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        server.Dispose();
        client.Dispose();
    }

    [Fact]
    public async Task A_connection_that_falls_8192_frames_behind_drops_and_counts()
    {
        var (server, client) = await WebSocketPairAsync();
        var connection = new RawConnection(server, new RawRooms());
        using var stop = new CancellationTokenSource();
        var running = connection.RunAsync(stop.Token);

        var frame = Frame(0, 4_096);
        for (var i = 0; i < 40_000; i++)
        {
            connection.Enqueue(frame);
        }

        Assert.True(connection.Dropped > 0);
        client.Abort();
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        server.Dispose();
        client.Dispose();
    }

    // A frame is its number in 8 ASCII digits, padded with spaces to size (text frames must be UTF-8).
    private static byte[] Frame(int number, int size)
    {
        var frame = new byte[size];
        frame.AsSpan().Fill((byte)' ');
        System.Text.Encoding.ASCII.GetBytes(number.ToString("D8", System.Globalization.CultureInfo.InvariantCulture), frame);
        return frame;
    }

    private static async Task<List<int>> ReadFramesAsync(WebSocket client, int count)
    {
        var numbers = new List<int>(count);
        var buffer = new byte[8_192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (numbers.Count < count)
        {
            var filled = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer.AsMemory(filled), timeout.Token);
                filled += result.Count;
            }
            while (!result.EndOfMessage);
            numbers.Add(int.Parse(buffer.AsSpan(0, 8), System.Globalization.CultureInfo.InvariantCulture));
        }

        return numbers;
    }

    private static async Task<(WebSocket Server, WebSocket Client)> WebSocketPairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        return (
            WebSocket.CreateFromStream(new NetworkStream(server, ownsSocket: true), new WebSocketCreationOptions { IsServer = true }),
            WebSocket.CreateFromStream(new NetworkStream(client, ownsSocket: true), new WebSocketCreationOptions { IsServer = false }));
    }
}
