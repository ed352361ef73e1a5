using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// The LiveIm a spike runs against: started by the runner (<see cref="StartedSystem"/>, which can then kill its parts)
/// or already running (<see cref="RunningSystem"/>, URLs given).
/// </summary>
internal abstract class SpikeSystem : IAsyncDisposable
{
    /// <summary>RoomService's base URL (assignment, room info, tokens).</summary>
    public abstract Uri RoomService { get; }

    /// <summary>The gateways' base URLs (for <c>/metrics</c> and the process list; viewers go through assignment).</summary>
    public abstract IReadOnlyList<Uri> Gateways { get; }

    /// <summary>The NATS monitoring URLs (one per node).</summary>
    public abstract IReadOnlyList<Uri> NatsMonitors { get; }

    /// <summary>The processes whose CPU and RSS the report shows.</summary>
    public abstract IReadOnlyList<TargetProcess> Processes { get; }

    /// <summary>True when this runner started the processes (and so may kill them).</summary>
    public abstract bool CanKill { get; }

    /// <summary>One line for the report.</summary>
    public abstract string Description { get; }

    /// <summary>An access token for <paramref name="userId"/> (role viewer, or streamer of <paramref name="room"/>).</summary>
    public abstract Task<string> TokenAsync(string userId, string role, string? room, CancellationToken cancellationToken);

    /// <summary>SIGKILL gateway <paramref name="index"/> (a crash).</summary>
    public virtual Task KillGatewayAsync(int index) => throw new NotSupportedException("only a system started with --start can be killed");

    /// <summary>SIGTERM gateway <paramref name="index"/> (graceful drain, then exit).</summary>
    public virtual Task TerminateGatewayAsync(int index) => throw new NotSupportedException("only a system started with --start can be terminated");

    /// <summary>SIGKILL NATS node <paramref name="index"/>.</summary>
    public virtual Task KillNatsNodeAsync(int index) => throw new NotSupportedException("only a system started with --start can be killed");

    /// <summary>Throws, naming the process, when one that should run has exited.</summary>
    public virtual void EnsureRunning()
    {
    }

    public abstract ValueTask DisposeAsync();
}
