using System.Diagnostics;
using LiveIm.Redis.Internal;
using LiveIm.Redis.Protocol;

namespace LiveIm.Redis;

/// <summary>
/// The connection state machine:
/// <code>
/// Disconnected ─ConnectAsync→ Connecting ─ok→ Connected ─socket lost→ Reconnecting ─ok→ Connected
///       ↑                          │fail                              ↺ backoff, forever
///       └──────────────────────────┘                    any state ─DisposeAsync→ Closed
/// </code>
/// Every connect (first or re-) runs the same handshake: AUTH, SELECT, CLIENT SETNAME.
/// </summary>
public sealed partial class RedisClient
{
    private readonly object _stateGate = new();
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private volatile RedisConnectionState _state = RedisConnectionState.Disconnected;
    private Task _supervisor = Task.CompletedTask;

    /// <inheritdoc />
    public event EventHandler<RedisConnectionStateChangedEventArgs>? StateChanged;

    /// <inheritdoc />
    public RedisConnectionState State => _state;

    /// <inheritdoc />
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            if (_state != RedisConnectionState.Disconnected)
            {
                // Connected already, or Reconnecting: the supervisor owns the connection from here on.
                return;
            }

            SetState(RedisConnectionState.Connecting, null);
            var connection = await ConnectWithinBudgetAsync(cancellationToken).ConfigureAwait(false);
            Log.Connected(_logger, _options.EndPoint);
            SetState(RedisConnectionState.Connected, null);
            _supervisor = SuperviseAsync(connection);
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Closes the socket, fails commands still in flight, and stops reconnecting.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        SetState(RedisConnectionState.Closed, null);
        var connection = Interlocked.Exchange(ref _connection, null);
        connection?.Abort(new ObjectDisposedException(nameof(RedisClient), "The Redis client was disposed."));

        // A ConnectAsync in progress sees the cancellation and gives the gate back promptly.
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _supervisor.ConfigureAwait(false);
            if (connection is not null)
            {
                await connection.WaitForLoopsAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _connectGate.Release();
            _disposeCts.Dispose();
        }

        Log.Disposed(_logger, _options.EndPoint);
    }

    /// <summary>First connect: retries refused attempts with backoff until <see cref="RedisOptions.ConnectTimeout"/> is spent.</summary>
    private async Task<RedisConnection> ConnectWithinBudgetAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var backoff = new Backoff(_options.ReconnectWaitMin, _options.ReconnectWaitMax);
        Exception? lastError;
        while (true)
        {
            var budget = _options.ConnectTimeout == Timeout.InfiniteTimeSpan
                ? Timeout.InfiniteTimeSpan
                : _options.ConnectTimeout - Stopwatch.GetElapsedTime(started);
            try
            {
                var connection = await OpenAsync(budget, cancellationToken).ConfigureAwait(false);
                if (!TryPublish(connection))
                {
                    throw new ObjectDisposedException(nameof(RedisClient));
                }

                return connection;
            }
            catch (RedisServerException ex)
            {
                // The server answered and refused (WRONGPASS, NOAUTH, bad SELECT): retrying cannot help.
                lastError = ex;
                break;
            }
            catch (Exception ex) when (!IsDisposed && !cancellationToken.IsCancellationRequested)
            {
                lastError = ex;
            }
            catch (Exception) when (!IsDisposed)
            {
                SetState(RedisConnectionState.Disconnected, null);
                throw;
            }
            catch (Exception ex)
            {
                throw new ObjectDisposedException(nameof(RedisClient), ex);
            }

            var wait = backoff.Next();
            if (_options.ConnectTimeout != Timeout.InfiniteTimeSpan
                && Stopwatch.GetElapsedTime(started) + wait >= _options.ConnectTimeout)
            {
                break;
            }

            try
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                SetState(RedisConnectionState.Disconnected, null);
                throw;
            }
        }

        Log.ConnectFailed(_logger, _options.EndPoint, lastError.Message, lastError);
        SetState(RedisConnectionState.Disconnected, lastError);
        throw new RedisConnectionException($"Could not connect to Redis at {_options.EndPoint}: {lastError.Message}", lastError);
    }

    /// <summary>One attempt: TCP connect plus handshake, all within <paramref name="budget"/>.</summary>
    private async Task<RedisConnection> OpenAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        if (budget != Timeout.InfiniteTimeSpan && budget <= TimeSpan.Zero)
        {
            throw new TimeoutException($"No time left to connect within {_options.ConnectTimeout.TotalMilliseconds:0} ms.");
        }

        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposeCts.Token);
        attempt.CancelAfter(budget);
        RedisConnection? connection = null;
        try
        {
            connection = await RedisConnection.OpenAsync(_endPoint, _options.EndPoint, attempt.Token).ConfigureAwait(false);

            // The whole handshake is queued before the first reply is awaited, so it costs one round trip.
            var handshake = Handshake();
            try
            {
                foreach (var command in handshake)
                {
                    if (!connection.TryEnqueue(command))
                    {
                        throw new RedisConnectionException($"The connection to {_options.EndPoint} closed during the handshake.");
                    }
                }

                // In order, so a refused AUTH is reported rather than the NOAUTH that follows it.
                foreach (var command in handshake)
                {
                    await command.Task.WaitAsync(attempt.Token).ConfigureAwait(false);
                }
            }
            catch
            {
                foreach (var command in handshake)
                {
                    command.ObserveFailure();
                }

                throw;
            }

            return connection;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && !IsDisposed)
        {
            connection?.Abort(ex);
            throw new TimeoutException($"Connecting to {_options.EndPoint} took longer than {budget.TotalMilliseconds:0} ms.", ex);
        }
        catch (Exception ex)
        {
            connection?.Abort(ex);
            throw;
        }
    }

    private List<PendingCommand> Handshake()
    {
        var commands = new List<PendingCommand>(3);
        if (_options.Password is not null)
        {
            // AUTH [username] password — the two-argument form needs Redis 6 ACLs.
            commands.Add(new PendingCommand(
                RespCommandNames.Auth,
                _options.User is null ? [_options.Password] : [_options.User, _options.Password]));
        }

        if (_options.Database != 0)
        {
            commands.Add(new PendingCommand(RespCommandNames.Select, [_options.Database]));
        }

        if (!string.IsNullOrEmpty(_options.ClientName))
        {
            commands.Add(new PendingCommand(RespCommandNames.Client, [RespCommandNames.SetName, _options.ClientName]));
        }

        return commands;
    }

    /// <summary>Makes <paramref name="connection"/> the one commands go to, unless the client was disposed meanwhile.</summary>
    private bool TryPublish(RedisConnection connection)
    {
        // Interlocked on both sides (here and in DisposeAsync) gives a full fence: either Dispose
        // sees this connection and aborts it, or we see _disposed and abort it ourselves.
        Interlocked.Exchange(ref _connection, connection);
        if (!IsDisposed)
        {
            return true;
        }

        Interlocked.CompareExchange(ref _connection, null, connection);
        connection.Abort(new ObjectDisposedException(nameof(RedisClient)));
        return false;
    }

    /// <summary>Waits for each connection to die and replaces it, until the client is disposed.</summary>
    private async Task SuperviseAsync(RedisConnection connection)
    {
        while (true)
        {
            var reason = await connection.Closed.ConfigureAwait(false);
            Interlocked.CompareExchange(ref _connection, null, connection);
            if (IsDisposed)
            {
                return;
            }

            var lostAt = Stopwatch.GetTimestamp();
            if (reason is RedisProtocolException)
            {
                Log.ProtocolViolation(_logger, _options.EndPoint, reason);
            }

            Log.ConnectionLost(_logger, _options.EndPoint, reason.Message, reason);
            SetState(RedisConnectionState.Reconnecting, reason);

            var (next, attempts) = await ReconnectAsync().ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            var downtime = Stopwatch.GetElapsedTime(lostAt);
            Log.Reconnected(_logger, _options.EndPoint, (long)downtime.TotalMilliseconds, attempts);
            SetState(RedisConnectionState.Connected, null);
            connection = next;
        }
    }

    /// <summary>Retries forever with jittered exponential backoff; null only when the client is disposed.</summary>
    private async Task<(RedisConnection? Connection, int Attempts)> ReconnectAsync()
    {
        var backoff = new Backoff(_options.ReconnectWaitMin, _options.ReconnectWaitMax);
        var attempts = 0;
        while (!IsDisposed)
        {
            try
            {
                await Task.Delay(backoff.Next(), _disposeCts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return (null, attempts);
            }

            attempts++;
            try
            {
                var connection = await OpenAsync(_options.ConnectTimeout, CancellationToken.None).ConfigureAwait(false);
                return TryPublish(connection) ? (connection, attempts) : (null, attempts);
            }
            catch (Exception ex) when (!IsDisposed)
            {
                // A refused handshake (e.g. a rotated password) is retried too: the client must heal
                // on its own once the server or its configuration is back.
                Log.ReconnectAttemptFailed(_logger, _options.EndPoint, attempts, ex.Message);
            }
            catch (Exception)
            {
                return (null, attempts);
            }
        }

        return (null, attempts);
    }

    private void SetState(RedisConnectionState next, Exception? error)
    {
        RedisConnectionState previous;
        lock (_stateGate)
        {
            previous = _state;
            if (previous == next || previous == RedisConnectionState.Closed)
            {
                return;
            }

            _state = next;
        }

        var handler = StateChanged;
        if (handler is null)
        {
            return;
        }

        try
        {
            handler(this, new RedisConnectionStateChangedEventArgs(previous, next, error));
        }
        catch (Exception ex)
        {
            // A subscriber's bug must not stop the reconnect loop.
            Log.StateChangedHandlerFailed(_logger, ex);
        }
    }
}
