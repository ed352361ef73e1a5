namespace LiveIm.Testing;

/// <summary>A real <c>redis-server</c> on loopback, without persistence (a restart loses data unless told otherwise).</summary>
public sealed class RedisServer : ServerProcess
{
    private readonly string[] _extraArgs;

    public RedisServer(int? port = null, params string[] extraArgs)
        : base(port ?? FreePort.Next())
    {
        _extraArgs = extraArgs;
    }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string EndPoint => $"127.0.0.1:{Port}";

    protected override string FileName => ServerBinary.Find("redis-server", "redis-server");

    protected override IEnumerable<string> Arguments =>
        new[]
        {
            "--bind", "127.0.0.1", "--port", Port.ToString(), "--save", string.Empty, "--appendonly", "no",
            "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning",
        }.Concat(_extraArgs);

    /// <summary>Starts a server and waits until it accepts connections.</summary>
    public static async Task<RedisServer> StartNewAsync(params string[] extraArgs)
    {
        var server = new RedisServer(null, extraArgs);
        await server.StartAsync();
        return server;
    }
}
