namespace LiveIm.RoomGateway.Connections;

/// <summary>
/// One timer, once a second, for every open hub connection: it runs the callbacks SignalR registered through
/// <c>IConnectionHeartbeatFeature</c> (its keep-alive ping and its client timeout), as SignalR's own connection manager
/// does for the connections it owns.
/// </summary>
/// <remarks>
/// The connections form an intrusive list (two fields in each) under one lock, so joining costs no allocation (the
/// tick's walk has not been timed at scale). The callbacks it runs are SignalR's and do not block: a
/// ping is a send that completes at once or continues on its own.
/// </remarks>
public sealed class ConnectionHeartbeat : IHostedService, IDisposable
{
    /// <summary>SignalR's own tick (HttpConnectionManager): keep-alive and timeout checks have this granularity.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private HubWebSocketConnection? _first;
    private int _count;

    public ConnectionHeartbeat(TimeProvider time)
    {
        _timer = time.CreateTimer(static state => ((ConnectionHeartbeat)state!).Tick(), this, Period, Period);
    }

    /// <summary>Connections on the list.</summary>
    public int Count => Volatile.Read(ref _count);

    internal void Add(HubWebSocketConnection connection)
    {
        lock (_lock)
        {
            connection.Next = _first;
            if (_first is not null)
            {
                _first.Previous = connection;
            }

            _first = connection;
            _count++;
        }
    }

    internal void Remove(HubWebSocketConnection connection)
    {
        lock (_lock)
        {
            if (connection.Previous is null && _first != connection)
            {
                return; // not on the list (removed already)
            }

            if (connection.Previous is not null)
            {
                connection.Previous.Next = connection.Next;
            }
            else
            {
                _first = connection.Next;
            }

            if (connection.Next is not null)
            {
                connection.Next.Previous = connection.Previous;
            }

            connection.Previous = null;
            connection.Next = null;
            _count--;
        }
    }

    /// <summary>Runs every connection's heartbeat callbacks once (the timer's work).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            // The next one is read first: a callback that ends its connection inline (the lock is reentrant) unlinks it.
            for (var connection = _first; connection is not null;)
            {
                var next = connection.Next;
                connection.OnHeartbeat();
                connection = next;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// On the gateway's stop (after its drain): ends every connection still open as SignalR's connection manager does,
    /// the hub's read is canceled, so SignalR sends its close message and the connection its close frame.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            for (var connection = _first; connection is not null;)
            {
                var next = connection.Next;
                connection.EndInput();
                connection = next;
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _timer.Dispose();
}
