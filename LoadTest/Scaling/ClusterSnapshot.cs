namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// What the local system had done up to one moment: CPU seconds per process kind (from /proc), Redis commands (INFO
/// commandstats), the services' own counters (/metrics), NATS's message counts (/varz) and what the receivers got.
/// </summary>
internal sealed record ClusterSnapshot(
    long StopwatchTicks,
    double RoomServiceCpu,
    double GatewaysCpu,
    double RedisCpu,
    long RedisCalls,
    double EventsPublished,
    double BusReceived,
    double GatewayDeliveries,
    long NatsInMsgs,
    long NatsOutMsgs,
    long ReceiverEvents,
    long ReceiverBytes);
