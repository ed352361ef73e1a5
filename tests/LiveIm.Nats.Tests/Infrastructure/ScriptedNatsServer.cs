using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>
/// A fake NATS server the test scripts line by line: for faults a real server will not produce on demand
/// (-ERR at a chosen moment, PINGs that are never answered, an INFO that never comes) and to assert wire bytes.
/// </summary>
public sealed class ScriptedNatsServer : IAsyncDisposable
{
    public const string DefaultInfo =
        "INFO {\"server_id\":\"scripted\",\"version\":\"0.0.0\",\"max_payload\":1048576,\"headers\":true,\"proto\":1}";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<ScriptedClient> _clients = [];

    public ScriptedNatsServer()
    {
        _listener.Start();
    }

    public string Url => $"nats://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Waits for the client to dial in.</summary>
    public async Task<ScriptedClient> AcceptAsync(TimeSpan? timeout = null)
    {
        var socket = await _listener.AcceptTcpClientAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(5));
        var client = new ScriptedClient(socket);
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        List<ScriptedClient> clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}

/// <summary>The server side of one accepted client connection.</summary>
public sealed class ScriptedClient : IAsyncDisposable
{
    private readonly TcpClient _socket;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    public ScriptedClient(TcpClient socket)
    {
        _socket = socket;
        _stream = socket.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Every line read so far, in order (control lines and payload lines alike).</summary>
    public List<string> Lines { get; } = [];

    /// <summary>Sends <paramref name="line"/> plus CRLF.</summary>
    public async Task SendAsync(string line)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
    }

    /// <summary>The next line without its CRLF; null when the client closed.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        var line = await _reader.ReadLineAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(5));
        if (line is not null)
        {
            Lines.Add(line);
        }

        return line;
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>, returning the lines before it and it.</summary>
    public async Task<List<string>> ReadUntilAsync(string prefix, TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync(timeout) ?? throw new IOException($"Client closed before '{prefix}'.");
            lines.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>INFO, then everything up to the client's PING, answered with PONG. Returns the lines read.</summary>
    public async Task<List<string>> HandshakeAsync(string info = ScriptedNatsServer.DefaultInfo)
    {
        await SendAsync(info);
        var lines = await ReadUntilAsync("PING");
        await SendAsync("PONG");
        return lines;
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
