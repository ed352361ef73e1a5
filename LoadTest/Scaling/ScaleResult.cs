using System.Diagnostics;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// The figures of one gateway count, each per room event or per delivery in the loaded window, with the idle
/// window's cost per second (presence, load reports, probes) times the loaded window's length taken off first.
/// </summary>
internal sealed record ScaleResult(
    int Gateways,
    int Receivers,
    long ChatSent,
    long GiftsSent,
    long SendsFailed,
    string? LastSendError,
    double LoadedSeconds,
    double EventsPublished,
    double BusReceived,
    double GatewayDeliveries,
    long ReceiverEvents,
    double RoomServiceCpuMsPerEvent,
    double RedisCommandsPerEvent,
    double RedisCpuMicrosPerCommand,
    double GatewayCpuMicrosPerDelivery,
    double WireBytesPerDelivery,
    double NatsMessagesInPerEvent,
    double NatsMessagesOutPerEvent)
{
    /// <summary>Bus copies the gateways received per published event: the gateway count when every gateway holds members.</summary>
    public double BusCopiesPerEvent => EventsPublished > 0 ? BusReceived / EventsPublished : double.NaN;

    /// <summary>True when the gateways together received exactly <see cref="Gateways"/> copies of every published event.</summary>
    public bool BusCopiesExact => EventsPublished > 0 && Math.Abs(BusReceived - (Gateways * EventsPublished)) < 0.5;

    /// <summary>Receiver deliveries over (sent events × receivers): 1 when nothing was lost.</summary>
    public double Delivered => ChatSent + GiftsSent > 0 ? ReceiverEvents / (double)((ChatSent + GiftsSent) * Receivers) : double.NaN;

    /// <summary>Computes the figures from the three snapshots (idle start, idle end = loaded start, loaded end).</summary>
    public static ScaleResult From(
        int gateways, int receivers, long chatSent, long giftsSent, long failed, string? lastError,
        ClusterSnapshot idleStart, ClusterSnapshot idleEnd, ClusterSnapshot loadedEnd)
    {
        var idleSeconds = Seconds(idleStart, idleEnd);
        var loadedSeconds = Seconds(idleEnd, loadedEnd);

        // What the loaded window cost above idling for as long.
        double Net(Func<ClusterSnapshot, double> read) =>
            read(loadedEnd) - read(idleEnd) - ((read(idleEnd) - read(idleStart)) / idleSeconds * loadedSeconds);

        var events = loadedEnd.EventsPublished - idleEnd.EventsPublished;
        var deliveries = loadedEnd.GatewayDeliveries - idleEnd.GatewayDeliveries;
        var receiverEvents = loadedEnd.ReceiverEvents - idleEnd.ReceiverEvents;
        var redisCommands = Net(s => s.RedisCalls);
        return new ScaleResult(
            gateways, receivers, chatSent, giftsSent, failed, lastError, loadedSeconds,
            events,
            loadedEnd.BusReceived - idleEnd.BusReceived,
            deliveries,
            receiverEvents,
            Per(Net(s => s.RoomServiceCpu) * 1_000, events),
            Per(redisCommands, events),
            Per(Net(s => s.RedisCpu) * 1_000_000, redisCommands),
            Per(Net(s => s.GatewaysCpu) * 1_000_000, deliveries),
            Per(loadedEnd.ReceiverBytes - idleEnd.ReceiverBytes, receiverEvents),
            Per(loadedEnd.NatsInMsgs - idleEnd.NatsInMsgs, events),
            Per(loadedEnd.NatsOutMsgs - idleEnd.NatsOutMsgs, events));
    }

    private static double Seconds(ClusterSnapshot from, ClusterSnapshot to) =>
        (to.StopwatchTicks - from.StopwatchTicks) / (double)Stopwatch.Frequency;

    private static double Per(double amount, double count) => count > 0 ? amount / count : double.NaN;
}
