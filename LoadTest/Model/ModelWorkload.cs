namespace LiveIm.LoadTest.Model;

/// <summary>
/// What the capacity model is asked about (the audience and its activity) and the settings it assumes: the defaults
/// are LiveIm's own defaults (Limits:MaxConnections, Fanout:*, Assignment:*, Chat:BudgetPerSecond,
/// Presence:IntervalSeconds) and the fan-out benchmark's 5 gifts/s; the operator enters theirs.
/// </summary>
public sealed record ModelWorkload
{
    /// <summary>Viewers over all rooms.</summary>
    public long Viewers { get; init; } = 1_000_000;

    /// <summary>Rooms of equal size the viewers are in.</summary>
    public int Rooms { get; init; } = 1;

    /// <summary>Chat lines per second each room delivers (Chat:BudgetPerSecond, 20).</summary>
    public double ChatPerSecond { get; init; } = 20;

    /// <summary>Chat lines per second each room's viewers send (each a RoomService request, sampled down to the budget).</summary>
    public double ChatSendsPerSecond { get; init; } = 20;

    /// <summary>Gifts per second per room (all delivered).</summary>
    public double GiftsPerSecond { get; init; } = 5;

    /// <summary>Cores per gateway host.</summary>
    public double GatewayCores { get; init; } = 2;

    /// <summary>Limits:MaxConnections.</summary>
    public double GatewayMaxConnections { get; init; } = 20_000;

    /// <summary>Share of every resource planned to be used (0.7: headroom for a spike and for a gateway's drain).</summary>
    public double Utilization { get; init; } = 0.7;

    /// <summary>Cores per RoomService instance.</summary>
    public double RoomServiceCores { get; init; } = 2;

    /// <summary>Cores per NATS node.</summary>
    public double NatsCores { get; init; } = 2;

    /// <summary>Presence:IntervalSeconds.</summary>
    public double PresenceIntervalSeconds { get; init; } = 2;

    /// <summary>Fanout:TickMs.</summary>
    public double TickMs { get; init; } = 50;

    /// <summary>Fanout:MaxTickMs.</summary>
    public double MaxTickMs { get; init; } = 500;

    /// <summary>Fanout:ReliableTickMs: a pending gift brings its room's flush forward to this, at most one such flush per it.</summary>
    public double ReliableTickMs { get; init; } = 100;

    /// <summary>Fanout:FrameCostMicros: the gateway's starting estimate of its CPU per frame, used by the tick until it has measured its own (the model uses the measured figure when it has one).</summary>
    public double FrameCostMicros { get; init; } = 10;

    /// <summary>Fanout:RoomCoreShare.</summary>
    public double RoomCoreShare { get; init; } = 0.5;

    /// <summary>Assignment:MaxRoomMembersPerGateway.</summary>
    public double MaxRoomMembersPerGateway { get; init; } = 2500;
}
