using System.Buffers;

namespace LiveIm.SignalR;

/// <summary>
/// One process-wide timer drives keep-alive pings and server-timeout checks for every connection, instead of a timer
/// (or a <c>Task.Delay</c> loop) per connection: 20,000 load-test clients then cost one timer and a scan per tick.
/// </summary>
/// <remarks>
/// 250 ms resolution: the intervals it serves are seconds (15 s keep-alive, 30 s server timeout by default), so a
/// quarter second of lateness is noise, and a scan of 20,000 connections is 20,000 timestamp comparisons per tick.
/// The timer exists only while some connection is open.
/// </remarks>
internal static class Heartbeat
{
    private const int TickMilliseconds = 250;

    private static readonly object s_gate = new();
    private static readonly HashSet<HubConnection> s_connections = new(ReferenceEqualityComparer.Instance);
    private static Timer? s_timer;
    private static int s_ticking;

    public static void Register(HubConnection connection)
    {
        lock (s_gate)
        {
            s_connections.Add(connection);
            if (s_timer is null)
            {
                // No ExecutionContext capture: the first connection's AsyncLocals must not leak into every tick.
                using (ExecutionContext.SuppressFlow())
                {
                    s_timer = new Timer(static _ => Tick(), null, TickMilliseconds, TickMilliseconds);
                }
            }
        }
    }

    public static void Unregister(HubConnection connection)
    {
        lock (s_gate)
        {
            if (s_connections.Remove(connection) && s_connections.Count == 0)
            {
                s_timer?.Dispose();
                s_timer = null;
            }
        }
    }

    private static void Tick()
    {
        // A slow tick (thread pool starved under load) must not overlap the next one.
        if (Interlocked.Exchange(ref s_ticking, 1) == 1)
        {
            return;
        }

        HubConnection[] snapshot;
        int count;
        lock (s_gate)
        {
            count = s_connections.Count;
            snapshot = ArrayPool<HubConnection>.Shared.Rent(Math.Max(count, 1));
            s_connections.CopyTo(snapshot);
        }

        try
        {
            // Outside the lock: a ping may complete its socket write synchronously.
            var now = Environment.TickCount64;
            for (var i = 0; i < count; i++)
            {
                snapshot[i].OnHeartbeat(now);
            }
        }
        finally
        {
            ArrayPool<HubConnection>.Shared.Return(snapshot, clearArray: true);
            Volatile.Write(ref s_ticking, 0);
        }
    }
}
