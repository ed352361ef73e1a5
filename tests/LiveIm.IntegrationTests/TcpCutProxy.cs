using System.Net;
using System.Net.Sockets;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A loopback TCP proxy in front of a gateway that can cut every connection through it at once (a reset, as a
/// network that fails does), so a test can drop a real client's connection without touching the gateway.
/// </summary>
public sealed class TcpCutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly List<(Socket Client, Socket Upstream)> _pairs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private TcpCutProxy(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Loopback, target.Port);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Where clients connect instead of the gateway.</summary>
    public Uri Url { get; }

    /// <summary>Connections through the proxy now.</summary>
    public int Connections
    {
        get
        {
            lock (_pairs)
            {
                return _pairs.Count;
            }
        }
    }

    /// <summary>Starts a proxy to the gateway at <paramref name="target"/> (loopback).</summary>
    public static TcpCutProxy Start(Uri target) => new(target);

    /// <summary>Resets every connection through the proxy (both sides see a reset); returns how many.</summary>
    public int CutAll()
    {
        (Socket Client, Socket Upstream)[] pairs;
        lock (_pairs)
        {
            pairs = _pairs.ToArray();
            _pairs.Clear();
        }

        foreach (var (client, upstream) in pairs)
        {
            Reset(client);
            Reset(upstream);
        }

        return pairs.Length;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close = RST, not FIN
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already gone.
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await upstream.ConnectAsync(_target, _stop.Token);
            }
            catch (SocketException)
            {
                Reset(client);
                upstream.Dispose();
                continue;
            }

            client.NoDelay = true;
            lock (_pairs)
            {
                _pairs.Add((client, upstream));
            }

            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    // One direction; when it ends (either side closed or was reset), both sockets go.
    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    break;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut, or the other side went.
        }

        lock (_pairs)
        {
            _pairs.RemoveAll(p => p.Client == from || p.Upstream == from);
        }

        Reset(from);
        Reset(to);
    }
}
