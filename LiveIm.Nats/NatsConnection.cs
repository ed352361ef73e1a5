using System.Collections.Concurrent;
using LiveIm.Nats.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LiveIm.Nats;

/// <summary>
/// A NATS core client connection (https://docs.nats.io/reference/reference-protocols/nats-protocol).
/// Split by concern: <c>.Connect</c> (handshake, reconnect state machine), <c>.Read</c> (socket reader and
/// dispatch), <c>.Publish</c>, <c>.Subscribe</c>, <c>.Request</c>, <c>.Ping</c>, <c>.Log</c>; the wire
/// format lives in <c>Internal/CommandWriter</c> and <c>Internal/NatsParser</c>.
/// </summary>
public sealed partial class NatsConnection : INatsConnection
{
    private readonly NatsOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _stateGate = new();

    // Guards subscription registration together with the choice of the socket SUBs go to, so that a
    // subscription made during a reconnect is either in the resubscribe snapshot or sent by SubscribeAsync,
    // never neither or both. Lock order: _subscriptionGate, then the writer's own lock.
    private readonly Lock _subscriptionGate = new();
    private readonly ConcurrentDictionary<long, NatsSubscription> _subscriptions = new();

    // Cancelled by DisposeAsync. Never disposed itself: it has no timer, and late callers may still read its token.
    private readonly CancellationTokenSource _disposed = new();
    private int _state = (int)NatsConnectionState.Disconnected;
    private ServerConnection? _current;
    private Task _supervisor = Task.CompletedTask;
    private long _maxPayload = ServerInfo.DefaultMaxPayload;
    private long _nextSid;

    /// <summary>Creates a connection; nothing happens on the network until <see cref="ConnectAsync"/>.</summary>
    public NatsConnection(NatsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("At least one server URL is required.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.SubscriptionChannelCapacity, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPingsOut, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.PingInterval, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ConnectTimeout, TimeSpan.Zero, nameof(options));
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<NatsConnection>() ?? NullLogger<NatsConnection>.Instance;
        _servers = options.Servers.Select(ServerAddress.Parse).ToList();
        _inboxPrefix = "_INBOX." + NewInboxId() + ".";
        _pendingByToken = _pendingRequests.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <inheritdoc />
    public event EventHandler<NatsConnectionStateChangedEventArgs>? StateChanged;

    /// <inheritdoc />
    public NatsConnectionState State => (NatsConnectionState)Volatile.Read(ref _state);

    /// <inheritdoc />
    public string? ConnectedUrl => State == NatsConnectionState.Connected ? Volatile.Read(ref _current)?.Address.Display : null;

    /// <inheritdoc />
    public long MaxPayload => Interlocked.Read(ref _maxPayload);

    /// <summary>Subscriptions currently registered (including the request inbox once a request was made).</summary>
    public int SubscriptionCount => _subscriptions.Count;

    /// <summary>Socket writes on the current server connection (tests check that bursts are batched).</summary>
    internal long SocketWrites => Volatile.Read(ref _current)?.Writer.SocketWrites ?? 0;

    /// <summary>Closes the socket (after a short flush), ends every subscription loop and fails pending requests.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!TrySetState(NatsConnectionState.Closed, null, null))
        {
            return;
        }

        _disposed.Cancel();
        ServerConnection? connection;
        lock (_subscriptionGate)
        {
            connection = _current;
            _current = null;
        }

        var closed = new NatsNotConnectedException("The NATS connection was disposed.");
        if (connection is not null)
        {
            // Publishes already accepted deserve a chance to leave; a socket that does not drain gets 1 s.
            await connection.CloseAsync(closed, TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        try
        {
            // Bounded: a StateChanged listener that disposes us runs on the supervisor, which would then wait for itself.
            await _supervisor.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // It stops on its own: every path out of its waits checks the cancelled dispose token.
        }
        FailPendingRequests(closed);

        List<Task> loops = [];
        lock (_subscriptionGate)
        {
            foreach (var subscription in _subscriptions.Values)
            {
                subscription.Complete();
                loops.Add(subscription.Loop);
            }

            _subscriptions.Clear();
        }

        try
        {
            // Handlers finish what is queued; a stuck handler (or one disposing us from inside) cannot hold us.
            await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Log.SubscriptionsDidNotDrain(_logger, loops.Count(l => !l.IsCompleted));
        }

        Log.Closed(_logger);
    }

    /// <summary>
    /// Moves to <paramref name="newState"/> and raises <see cref="StateChanged"/>. Closed is terminal: returns
    /// false (and changes nothing) once closed, or when already in <paramref name="newState"/>.
    /// </summary>
    private bool TrySetState(NatsConnectionState newState, Exception? error, string? serverUrl)
    {
        NatsConnectionState old;
        lock (_stateGate)
        {
            old = (NatsConnectionState)_state;
            if (old == NatsConnectionState.Closed || old == newState)
            {
                return false;
            }

            Volatile.Write(ref _state, (int)newState);
        }

        try
        {
            StateChanged?.Invoke(this, new NatsConnectionStateChangedEventArgs(old, newState, error, serverUrl));
        }
        catch (Exception ex)
        {
            // A throwing listener must not break the reconnect loop that raised the event.
            Log.StateListenerFailed(_logger, ex, newState);
        }

        return true;
    }

    /// <summary>The socket to publish on, or <see cref="NatsNotConnectedException"/> at once.</summary>
    private ServerConnection ConnectedOrThrow()
    {
        var connection = Volatile.Read(ref _current);
        var state = State;
        if (connection is null || state != NatsConnectionState.Connected)
        {
            throw new NatsNotConnectedException($"The NATS connection is {state.ToString().ToLowerInvariant()}.");
        }

        return connection;
    }
}
