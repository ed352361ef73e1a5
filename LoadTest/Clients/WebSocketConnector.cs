using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace LiveIm.LoadTest.Clients;

/// <summary>
/// Opens a client WebSocket the lean way: a <see cref="Socket"/> bound to a chosen loopback source address, the
/// HTTP/1.1 upgrade written and checked by hand (RFC 6455 §4.1), then <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.
/// SignalR accepts a WebSocket straight at the hub path without negotiate ("skip negotiation").
/// </summary>
internal static class WebSocketConnector
{
    // Linux IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT (24): bind() fixes the source address only and the port is chosen at
    // connect() per destination, so one address serves ~28,000 connections to EACH target port instead of in total.
    private const int IpProtocolIp = 0;
    private const int IpBindAddressNoPort = 24;

    // RFC 6455 §1.3: Sec-WebSocket-Accept = base64(SHA-1(key + this GUID)).
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Connects from <paramref name="source"/> to <paramref name="server"/> and upgrades <paramref name="path"/>.</summary>
    public static async Task<WebSocket> ConnectAsync(IPEndPoint server, IPAddress source, string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption(IpProtocolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
            }

            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);

            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);

            var (headers, leftover) = await ReadResponseHeadAsync(socket, cancellationToken).ConfigureAwait(false);
            Validate(headers, key);
            var stream = new PooledSocketStream(socket, leftover);

            // No WebSocket-level keep-alive: SignalR pings (every 15 s, sent by the pool) are what the server's timeout counts.
            return WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Checks the 101 response and the accept key; throws with the status line otherwise.</summary>
    internal static void Validate(string head, string key)
    {
        var statusEnd = head.IndexOf("\r\n", StringComparison.Ordinal);
        var status = statusEnd < 0 ? head : head[..statusEnd];
        if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new WebSocketException($"The server refused the WebSocket upgrade: {status}");
        }

        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase))
            {
                if (line[(colon + 1)..].Trim() == expected)
                {
                    return;
                }

                throw new WebSocketException("The server answered the upgrade with a wrong Sec-WebSocket-Accept.");
            }
        }

        throw new WebSocketException("The server's upgrade response has no Sec-WebSocket-Accept.");
    }

    private static async Task<(string Head, byte[] Leftover)> ReadResponseHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var filled = 0;
            while (true)
            {
                if (filled == buffer.Length)
                {
                    throw new WebSocketException("The server's upgrade response headers exceed 1 KB.");
                }

                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new WebSocketException("The server closed the connection during the WebSocket upgrade.");
                }

                filled += n;
                var end = buffer.AsSpan(0, filled).IndexOf(HeaderEnd);
                if (end >= 0)
                {
                    var head = Encoding.ASCII.GetString(buffer, 0, end);
                    var leftover = buffer.AsSpan(end + HeaderEnd.Length, filled - end - HeaderEnd.Length).ToArray();
                    return (head, leftover);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
