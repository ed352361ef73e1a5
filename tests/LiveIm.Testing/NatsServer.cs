namespace LiveIm.Testing;

/// <summary>A real <c>nats-server</c> on loopback, with its monitoring port for /connz and /subsz checks.</summary>
public sealed class NatsServer : ServerProcess
{
    private readonly string[] _extraArgs;

    public NatsServer(int? port = null, int? monitorPort = null, params string[] extraArgs)
        : base(port ?? FreePort.Next())
    {
        MonitorPort = monitorPort ?? FreePort.Next();
        _extraArgs = extraArgs;
    }

    /// <summary>The HTTP monitoring port (<c>-m</c>).</summary>
    public int MonitorPort { get; }

    /// <summary><c>nats://127.0.0.1:port</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    protected override string FileName => ServerBinary.Find("nats-server", "nats-server");

    protected override IEnumerable<string> Arguments =>
        new[] { "-a", "127.0.0.1", "-p", Port.ToString(), "-m", MonitorPort.ToString() }.Concat(_extraArgs);

    /// <summary>Starts a server and waits until it accepts connections.</summary>
    public static async Task<NatsServer> StartNewAsync(params string[] extraArgs)
    {
        var server = new NatsServer(null, null, extraArgs);
        await server.StartAsync();
        return server;
    }

    /// <summary>GETs a monitoring endpoint such as <c>varz</c>, <c>connz?subs=1</c>, <c>subsz</c>.</summary>
    public async Task<string> MonitorAsync(string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync($"http://127.0.0.1:{MonitorPort}/{path}");
    }
}
