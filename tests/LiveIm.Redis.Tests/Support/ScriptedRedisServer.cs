using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LiveIm.Redis.Protocol;

namespace LiveIm.Redis.Tests.Support;

/// <summary>
/// A fake Redis on loopback whose answers a test scripts byte for byte, for faults a real server
/// never produces (garbage, unsolicited replies, replies held back). It reuses the client's own
/// parser to read commands, which are RESP arrays of bulk strings.
/// </summary>
public sealed class ScriptedRedisServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, string[], string?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _acceptLoop;
    private int _connections;
    private int _disposed;

    /// <param name="script">(connection index, command words) → raw bytes to send back (null or "" sends nothing).</param>
    public ScriptedRedisServer(Func<int, string[], string?> script)
    {
        _script = script;
        _listener.Start();
        _acceptLoop = AcceptAsync();
    }

    /// <summary>End a scripted reply with this to send what precedes it and then close the connection.</summary>
    public const string HangUp = "\0HANGUP";

    public string EndPoint => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            lock (_clients)
            {
                _clients.Add(client);
            }

            var index = Interlocked.Increment(ref _connections) - 1;
            _ = Task.Run(() => ServeAsync(client, index));
        }
    }

    private async Task ServeAsync(TcpClient client, int index)
    {
        try
        {
            var stream = client.GetStream();
            var reader = PipeReader.Create(stream);
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                while (RespParser.TryRead(ref buffer, out var command))
                {
                    var words = command.AsArray().Select(word => word.AsString()!).ToArray();
                    var reply = _script(index, words);
                    var hangUp = reply?.EndsWith(HangUp, StringComparison.Ordinal) == true;
                    if (hangUp)
                    {
                        reply = reply![..^HangUp.Length];
                    }

                    if (!string.IsNullOrEmpty(reply))
                    {
                        await stream.WriteAsync(Encoding.UTF8.GetBytes(reply), _stop.Token);
                    }

                    if (hangUp)
                    {
                        client.Dispose();
                        return;
                    }
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the test is over.
        }
    }
}
