using System.Diagnostics.Metrics;

namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// The drain's instruments on the gateway's meter (<see cref="Delivery.FanoutMetrics.Meter"/>): <c>draining</c>
/// (gauge, 1 while draining), <c>reconnects_sent</c>, <c>drain_refused</c> (connections refused at the door while
/// draining) and <c>drain_closes</c> (connections still open at the deadline, closed). Names in docs/operations.md.
/// </summary>
public sealed class DrainMetrics
{
    private long _reconnectsSent;
    private long _refused;
    private long _closes;
    private int _draining;

    public DrainMetrics(Meter meter)
    {
        meter.CreateObservableGauge("liveim.gateway.draining", () => Volatile.Read(ref _draining),
            description: "1 while the gateway drains (refuses connections, asks its clients to reconnect elsewhere), else 0");
        meter.CreateObservableCounter("liveim.gateway.reconnects_sent", () => Interlocked.Read(ref _reconnectsSent),
            description: "reconnect events sent to clients by a drain");
        meter.CreateObservableCounter("liveim.gateway.drain_refused", () => Interlocked.Read(ref _refused),
            description: "Connections refused at the door because the gateway drains");
        meter.CreateObservableCounter("liveim.gateway.drain_closes", () => Interlocked.Read(ref _closes),
            description: "Connections still open at the drain's deadline, closed by the gateway");
    }

    /// <summary>Reconnect events sent so far.</summary>
    public long ReconnectsSent => Interlocked.Read(ref _reconnectsSent);

    internal void Draining() => Volatile.Write(ref _draining, 1);

    internal void ReconnectSent() => Interlocked.Increment(ref _reconnectsSent);

    internal void Refused() => Interlocked.Increment(ref _refused);

    internal void Closed(long count) => Interlocked.Add(ref _closes, count);
}
