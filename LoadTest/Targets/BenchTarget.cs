using System.Net;
using LiveIm.LoadTest.Fanout;

namespace LiveIm.LoadTest.Targets;

/// <summary>
/// A system under test, started on loopback in processes of its own: where clients connect, which processes to
/// measure, how publishers identify themselves and what the server says it dropped.
/// </summary>
internal abstract class BenchTarget : IAsyncDisposable
{
    protected BenchTarget(int port)
    {
        Port = port;
    }

    /// <summary>Which target this is.</summary>
    public abstract TargetKind Kind { get; }

    /// <summary>One line for the report.</summary>
    public abstract string Description { get; }

    /// <summary>The HTTP port clients connect to.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>The hub URL.</summary>
    public Uri HubUrl => new(BaseUrl, Protocol.SignalRFrames.HubPath);

    /// <summary>The server endpoint for the lean receivers.</summary>
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>True when the lean receivers speak the MessagePack hub protocol to this target (else JSON).</summary>
    public virtual bool ReceiversUseMessagePack => false;

    /// <summary>The processes to measure; the first is the one that fans out (the gateway for LiveIm).</summary>
    public abstract IReadOnlyList<TargetProcess> Processes { get; }

    /// <summary>Creates the target of kind <paramref name="kind"/>; nothing runs until <see cref="StartAsync"/>.</summary>
    public static BenchTarget Create(TargetKind kind, FanoutOptions options) => kind switch
    {
        TargetKind.LiveIm => new LiveImTarget(options),
        TargetKind.LiveImMessagePack => new LiveImTarget(options, kind: TargetKind.LiveImMessagePack),
        TargetKind.SignalR => new LoadTestServerTarget(TargetKind.SignalR),
        TargetKind.Raw => new LoadTestServerTarget(TargetKind.Raw),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Starts every process and waits until each answers <c>GET /healthz</c>.</summary>
    public abstract Task StartAsync(Action<string> progress, CancellationToken cancellationToken);

    /// <summary>The access token of publisher <paramref name="index"/> in <paramref name="roomId"/> (null: anonymous).</summary>
    public virtual string? PublisherToken(int index, string roomId) => null;

    /// <summary>The server's own drop counters, or null when it exposes none.</summary>
    public virtual Task<DropCounters?> ReadDropsAsync() => Task.FromResult<DropCounters?>(null);

    /// <summary>Throws, with the process's last output, when one of the target's processes has exited.</summary>
    public abstract void EnsureRunning();

    /// <summary>Stops every process (killed: a benchmark needs no graceful shutdown).</summary>
    public abstract ValueTask DisposeAsync();
}
