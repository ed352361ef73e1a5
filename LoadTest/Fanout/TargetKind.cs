namespace LiveIm.LoadTest.Fanout;

/// <summary>The systems the fan-out workload runs against.</summary>
public enum TargetKind
{
    /// <summary>The real LiveIm system (RoomGateway, RoomService, NATS, Redis), receivers on the JSON hub protocol.</summary>
    LiveIm,

    /// <summary>A stock ASP.NET Core SignalR hub (the baseline).</summary>
    SignalR,

    /// <summary>A raw Kestrel WebSocket server (the ceiling).</summary>
    Raw,

    /// <summary>The same LiveIm system, receivers on the MessagePack hub protocol (<c>liveim-msgpack</c>).</summary>
    LiveImMessagePack,
}
