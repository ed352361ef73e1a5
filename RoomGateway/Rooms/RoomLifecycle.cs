namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// A room's life on this gateway, owned in one place: created by its first join, live (subscribed to its bus
/// subject) while it has members, retired with its last member (the registry then holds a new room for the next
/// join). The gate serializes the transitions against joins and leaves; a room's first join keeps it until
/// RoomService's answer set the room's seq baseline (see <see cref="RoomMembership"/>).
/// </summary>
public sealed class RoomLifecycle
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IAsyncDisposable? _subscription;

    /// <summary>True once the last member left; a join that finds the room retired starts over with a new one.</summary>
    public bool Retired { get; private set; }

    /// <summary>True while the room's bus subscription exists (under the gate).</summary>
    public bool IsSubscribed => _subscription is not null;

    /// <summary>Enters the gate.</summary>
    public Task EnterAsync(CancellationToken ct = default) => _gate.WaitAsync(ct);

    /// <summary>Leaves the gate.</summary>
    public void Exit() => _gate.Release();

    /// <summary>Records the room's bus subscription (under the gate).</summary>
    public void Subscribed(IAsyncDisposable subscription) => _subscription = subscription;

    /// <summary>Retires the room (under the gate) and hands back its subscription, if any, for the caller to end.</summary>
    public IAsyncDisposable? Retire()
    {
        Retired = true;
        var subscription = _subscription;
        _subscription = null;
        return subscription;
    }
}
