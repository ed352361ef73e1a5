namespace LiveIm.LoadTest.Model;

/// <summary>The model's answer for one workload; null where a figure it needs has not been measured.</summary>
public sealed record CapacityEstimate(
    ModelWorkload Workload,
    int GatewaysByConnections,
    int? GatewaysByCpu,
    int Gateways,
    int GatewaysPerRoom,
    double MembersPerRoomGateway,
    double TickMs,
    double FramesPerMemberPerSecond,
    double? CoresPerGateway,
    double? MemoryPerGatewayMB,
    double DeliveriesPerSecond,
    double? EgressGbps,
    double NatsMessagesInPerSecond,
    double NatsMessagesOutPerSecond,
    int? NatsNodes,
    double? PresenceCommandsPerSecond,
    double? RedisCommandsPerSecond,
    double? RedisCommandsHottestRoom,
    double? HottestRoomShardCores,
    int? RedisShards,
    int? RoomServices);
