namespace LiveIm.LoadTest.Model;

/// <summary>
/// The capacity model of docs/capacity.md: from a workload (<see cref="ModelWorkload"/>) and measured figures
/// (<see cref="ModelInputs"/>) how many gateways, RoomService instances, Redis shards and NATS nodes, and how much
/// egress. Every formula here is written out in docs/capacity.md; a result that needs a figure nobody has measured is
/// null, never estimated.
/// </summary>
public static class CapacityModel
{
    /// <summary>NATS nodes for failover whatever the load (a cluster survives the loss of one of three).</summary>
    public const int MinNatsNodes = 3;

    /// <summary>RoomService instances for failover whatever the load.</summary>
    public const int MinRoomServices = 2;

    /// <summary>Computes the estimate.</summary>
    public static CapacityEstimate Estimate(ModelWorkload w, ModelInputs inputs)
    {
        var viewersPerRoom = (double)w.Viewers / w.Rooms;
        var eventsPerRoom = w.ChatPerSecond + w.GiftsPerSecond;
        var sendsPerRoom = w.ChatSendsPerSecond + w.GiftsPerSecond;

        // (1) Connections: each gateway filled to the utilization target of its connection limit.
        var byConnections = (int)Math.Ceiling(w.Viewers / (w.GatewayMaxConnections * w.Utilization));

        // (2) CPU: frames a gateway writes per second. A room's members sit on few gateways (assignment gathers a
        // room up to MaxRoomMembersPerGateway per gateway, then spreads it), each member gets one frame per tick with
        // events, at most one per event.
        var cpuPerFrame = inputs.Value(ModelInputs.GatewayCpuMicrosPerFrame);
        int? byCpu = null;
        var gateways = byConnections;
        if (cpuPerFrame is { } micros)
        {
            gateways = Math.Max(1, byConnections);
            while (GatewayCores(w, gateways, viewersPerRoom, eventsPerRoom, micros) > w.GatewayCores * w.Utilization && gateways < 100_000_000)
            {
                gateways = Math.Max(gateways + 1, (int)Math.Ceiling(gateways * 1.01));
            }

            byCpu = gateways;
        }

        var roomGateways = RoomGateways(w, gateways, viewersPerRoom);
        var membersPerRoomGateway = viewersPerRoom / roomGateways;
        var tickMs = TickMs(w, membersPerRoomGateway, cpuPerFrame);
        var framesPerMember = FramesPerMemberPerSecond(w, eventsPerRoom, tickMs);
        double? coresPerGateway = cpuPerFrame is { } m ? GatewayCores(w, gateways, viewersPerRoom, eventsPerRoom, m) : null;
        double? memoryPerGatewayMB = inputs.Value(ModelInputs.GatewayMemoryKBPerConnection) is { } kb && inputs.Value(ModelInputs.GatewayBaseMemoryMB) is { } baseMb
            ? baseMb + (w.Viewers / (double)gateways * kb / 1024)
            : null;

        // (3) Egress: every viewer gets every event of its room.
        var deliveriesPerSecond = w.Viewers * eventsPerRoom;
        double? egressGbps = inputs.Value(ModelInputs.WireBytesPerDelivery) is { } bytes ? deliveriesPerSecond * bytes * 8 / 1e9 : null;

        // (4) NATS: per room, each send is a request and a reply (each in once and out once), each event is
        // published once and delivered once per gateway holding the room; presence adds one online event per
        // interval at most.
        var natsIn = w.Rooms * ((2 * sendsPerRoom) + eventsPerRoom);
        var natsOut = w.Rooms * ((2 * sendsPerRoom) + (eventsPerRoom * roomGateways));
        int? natsNodes = inputs.Value(ModelInputs.NatsMessagesPerSecondPerCore) is { } perCore
            ? Math.Max(MinNatsNodes, (int)Math.Ceiling((natsIn + natsOut) / (perCore * w.NatsCores * w.Utilization)))
            : null;

        // (5) Redis: commands per send, plus presence (one report per gateway per room it holds, one broadcast check
        // per room, per interval) and one load report (5 commands) per gateway per 2 s.
        var perCall = inputs.Value(ModelInputs.PresenceCommandsPerCall);
        double? presenceCommands = perCall is { } c
            ? (((w.Rooms * roomGateways) + w.Rooms) / w.PresenceIntervalSeconds * c) + (gateways / w.PresenceIntervalSeconds) + (gateways * 5 / 2.0)
            : null;
        double? redisCommands = inputs.Value(ModelInputs.RedisCommandsPerEvent) is { } perEvent && presenceCommands is { } p
            ? (w.Rooms * sendsPerRoom * perEvent) + p
            : null;
        double? redisCommandsHottestRoom = inputs.Value(ModelInputs.RedisCommandsPerEvent) is { } pe && perCall is { } pc
            ? (sendsPerRoom * pe) + ((roomGateways + 1) / w.PresenceIntervalSeconds * pc)
            : null;
        var redisMicros = inputs.Value(ModelInputs.RedisCpuMicrosPerCommand);
        int? redisShards = redisCommands is { } rc && redisMicros is { } rm
            ? Math.Max(1, (int)Math.Ceiling(rc * rm / 1e6 / w.Utilization))
            : null;
        double? hottestRoomShardShare = redisCommandsHottestRoom is { } hr && redisMicros is { } rm2 ? hr * rm2 / 1e6 : null;

        // (6) RoomService: CPU per send.
        int? roomServices = inputs.Value(ModelInputs.RoomServiceCpuMsPerEvent) is { } ms
            ? Math.Max(MinRoomServices, (int)Math.Ceiling(w.Rooms * sendsPerRoom * ms / 1000 / (w.RoomServiceCores * w.Utilization)))
            : null;

        return new CapacityEstimate(
            w, byConnections, byCpu, gateways, roomGateways, membersPerRoomGateway, tickMs, framesPerMember, coresPerGateway,
            memoryPerGatewayMB, deliveriesPerSecond, egressGbps, natsIn, natsOut, natsNodes, presenceCommands, redisCommands,
            redisCommandsHottestRoom, hottestRoomShardShare, redisShards, roomServices);
    }

    /// <summary>
    /// Gateways a room of <paramref name="viewersPerRoom"/> sits on: as few as Assignment:MaxRoomMembersPerGateway
    /// allows, never more than the fleet.
    /// </summary>
    public static int RoomGateways(ModelWorkload w, int gateways, double viewersPerRoom) =>
        Math.Max(1, Math.Min(gateways, (int)Math.Ceiling(viewersPerRoom / w.MaxRoomMembersPerGateway)));

    /// <summary>
    /// The gateway's tick for a room of <paramref name="members"/> local members (TickPolicy.TickFor, without
    /// pressure): members × the gateway's own measured CPU per frame (the model's measured figure; the gateway's
    /// starting estimate when there is none) over the room's share of a core.
    /// </summary>
    public static double TickMs(ModelWorkload w, double members, double? cpuMicrosPerFrame) =>
        Math.Clamp(members * (cpuMicrosPerFrame ?? w.FrameCostMicros) / (w.RoomCoreShare * 1000), w.TickMs, w.MaxTickMs);

    /// <summary>
    /// Frames per member per second, an upper bound: one per tick while events keep coming, plus one per gift (a
    /// pending gift brings the flush forward, at most once per Fanout:ReliableTickMs), never more than one per event.
    /// </summary>
    public static double FramesPerMemberPerSecond(ModelWorkload w, double eventsPerSecond, double tickMs) =>
        Math.Min(eventsPerSecond, (1000 / tickMs) + Math.Min(w.GiftsPerSecond, 1000 / w.ReliableTickMs));

    private static double GatewayCores(ModelWorkload w, int gateways, double viewersPerRoom, double eventsPerRoom, double cpuMicrosPerFrame)
    {
        var roomGateways = RoomGateways(w, gateways, viewersPerRoom);
        var frames = FramesPerMemberPerSecond(w, eventsPerRoom, TickMs(w, viewersPerRoom / roomGateways, cpuMicrosPerFrame));
        var connectionsPerGateway = w.Viewers / (double)gateways;
        return connectionsPerGateway * frames * cpuMicrosPerFrame / 1e6;
    }
}
