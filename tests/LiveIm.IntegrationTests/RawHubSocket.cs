using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A hub connection at the SignalR JSON protocol level over a WebSocket whose socket has a tiny receive buffer, so
/// a test can stop reading and make the gateway see a slow consumer quickly, then read again and inspect every
/// frame (including the close message).
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly StringBuilder _pending = new();

    public RawHubSocket(int receiveBufferBytes = 4096)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferBytes };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _invoker = new HttpMessageInvoker(handler);
        _socket.Options.SetBuffer(4096, 4096);
    }

    /// <summary>Connects to the hub at <paramref name="gateway"/> without negotiation and completes the handshake.</summary>
    public async Task ConnectAsync(Uri gateway, CancellationToken ct = default)
    {
        var ws = new UriBuilder(gateway) { Scheme = "ws", Path = "/hubs/room" }.Uri;
        await _socket.ConnectAsync(ws, _invoker, ct);
        await SendAsync("{\"protocol\":\"json\",\"version\":1}", ct);
        var handshake = await ReadRecordAsync(ct);
        if (handshake != "{}")
        {
            throw new InvalidOperationException("handshake failed: " + handshake);
        }
    }

    /// <summary>Invokes <c>JoinRoom(room, lastSeq)</c> and waits for its completion.</summary>
    public async Task JoinAsync(string room, CancellationToken ct = default)
    {
        await SendAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\",null]}}", ct);
        while (true)
        {
            var record = await ReadRecordAsync(ct) ?? throw new InvalidOperationException("closed while joining");
            using var doc = JsonDocument.Parse(record);
            if (doc.RootElement.GetProperty("type").GetInt32() == 3)
            {
                if (doc.RootElement.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException("join failed: " + error.GetString());
                }

                return;
            }
        }
    }

    /// <summary>The next record (SignalR message without its 0x1E), or null when the socket closed.</summary>
    public async Task<string?> ReadRecordAsync(CancellationToken ct = default)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf('\u001e');
            if (end >= 0)
            {
                _pending.Remove(0, end + 1);
                return text[..end];
            }

            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, ct);
            }
            catch (WebSocketException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            _pending.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }

    private Task SendAsync(string record, CancellationToken ct) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(record + "\u001e"), WebSocketMessageType.Text, true, ct);
}
