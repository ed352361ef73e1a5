using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using LiveIm.Nats.Internal;

namespace LiveIm.Nats;

/// <summary>
/// The connection state machine:
/// <code>
/// Disconnected ──ConnectAsync──▶ Connecting ──handshake ok──▶ Connected ◀──────────────┐
///                                    │ all servers failed          │ socket lost / stale │ handshake ok
///                                    ▼                             ▼                     │
///                               Disconnected                  Reconnecting ──backoff, next server
/// any state ──DisposeAsync──▶ Closed
/// </code>
/// A handshake is: TCP connect, read INFO, send CONNECT, re-send every live SUB (and the remaining UNSUB max),
/// then PING and wait for PONG; -ERR before the PONG fails it. Only then is the state Connected, so publishes,
/// which need Connected, always follow the re-sent subscriptions on the wire.
/// </summary>
public sealed partial class NatsConnection
{
    private readonly Lock _serverGate = new();
    private readonly List<ServerAddress> _servers;
    private int _serverIndex;
    private int _connectRunning;

    /// <inheritdoc />
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateGate)
        {
            switch ((NatsConnectionState)_state)
            {
                case NatsConnectionState.Closed:
                    throw new ObjectDisposedException(nameof(NatsConnection));
                case NatsConnectionState.Connected or NatsConnectionState.Reconnecting:
                    return;
                case NatsConnectionState.Connecting:
                    throw new InvalidOperationException("ConnectAsync is already running.");
            }
        }

        if (Interlocked.Exchange(ref _connectRunning, 1) == 1)
        {
            throw new InvalidOperationException("ConnectAsync is already running.");
        }

        try
        {
            await ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _connectRunning, 0);
        }
    }

    private async Task ConnectOnceAsync(CancellationToken cancellationToken)
    {
        TrySetState(NatsConnectionState.Connecting, null, null);
        List<ServerAddress> candidates;
        lock (_serverGate)
        {
            candidates = [.. _servers];
        }

        var errors = new List<Exception>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var address = candidates[i];
            try
            {
                var connection = await EstablishAsync(address, cancellationToken).ConfigureAwait(false);
                lock (_serverGate)
                {
                    _serverIndex = i;
                }

                if (!TrySetState(NatsConnectionState.Connected, null, address.Display))
                {
                    // Disposed while the handshake ran.
                    connection.Abort(new NatsNotConnectedException("The NATS connection was disposed."));
                    throw new ObjectDisposedException(nameof(NatsConnection));
                }

                Log.Connected(_logger, address.Display, connection.Info?.ServerId, connection.Info?.Version, MaxPayload);
                _supervisor = Task.Run(() => SuperviseAsync(connection));
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || _disposed.IsCancellationRequested)
            {
                TrySetState(NatsConnectionState.Disconnected, null, null);
                throw;
            }
            catch (Exception ex) when (ex is not ObjectDisposedException)
            {
                errors.Add(ex);
                Log.ConnectAttemptFailed(_logger, address.Display, 1, ex.Message);
            }
        }

        var error = errors.OfType<NatsServerErrorException>().FirstOrDefault()
            ?? new NatsException(
                $"Could not connect to any NATS server ({string.Join(", ", candidates.Select(c => c.Display))}): "
                + string.Join("; ", errors.Select(e => e.Message)),
                errors.Count == 1 ? errors[0] : new AggregateException(errors));
        TrySetState(NatsConnectionState.Disconnected, error, null);
        Log.ConnectFailed(_logger, error.Message);
        throw error;
    }

    /// <summary>Dials <paramref name="address"/> and completes the handshake within <see cref="NatsOptions.ConnectTimeout"/>.</summary>
    private async Task<ServerConnection> EstablishAsync(ServerAddress address, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ServerConnection? connection = null;
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, timeout.Token).ConfigureAwait(false);
            connection = new ServerConnection(address, socket);
            _ = ReadLoopAsync(connection);

            var info = await connection.FirstInfo.WaitAsync(timeout.Token).ConfigureAwait(false);
            connection.Writer.TryWriteRaw(BuildConnect(address));
            lock (_subscriptionGate)
            {
                foreach (var subscription in _subscriptions.Values.OrderBy(s => s.Sid))
                {
                    WriteSubscribe(connection, subscription);
                }

                _current = connection;
            }

            // The PONG proves CONNECT was accepted (an auth failure answers -ERR instead, which fails this wait).
            await connection.PingAsync().WaitAsync(timeout.Token).ConfigureAwait(false);
            connection.HandshakeComplete = true;
            OnInfo(info);
            return connection;
        }
        catch (Exception ex)
        {
            lock (_subscriptionGate)
            {
                if (_current == connection)
                {
                    _current = null;
                }
            }

            var timedOut = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested && !_disposed.IsCancellationRequested;
            var reason = timedOut
                ? new NatsException($"Timed out after {_options.ConnectTimeout.TotalMilliseconds:0} ms connecting to {address.Display}.", ex)
                : ex;
            if (connection is not null)
            {
                connection.Abort(reason);
            }
            else
            {
                socket.Dispose();
            }

            if (timedOut)
            {
                throw reason;
            }

            throw;
        }
    }

    /// <summary>Runs for the life of the connection: waits for the socket to end, then reconnects, forever.</summary>
    private async Task SuperviseAsync(ServerConnection connection)
    {
        var disposed = _disposed.Token;
        while (true)
        {
            _ = KeepAliveAsync(connection);
            var reason = await connection.Closed.ConfigureAwait(false);
            lock (_subscriptionGate)
            {
                if (_current == connection)
                {
                    _current = null;
                }
            }

            if (disposed.IsCancellationRequested)
            {
                return;
            }

            FailPendingRequests(new NatsNotConnectedException("The connection was lost before the reply arrived.", reason));
            var lost = connection.Address.Display;
            Log.Disconnected(_logger, reason, lost, reason.Message);
            if (!TrySetState(NatsConnectionState.Reconnecting, reason, lost))
            {
                return;
            }

            var lostAt = Stopwatch.GetTimestamp();
            var next = await ReconnectAsync(disposed).ConfigureAwait(false);
            if (next is null)
            {
                return;
            }

            if (!TrySetState(NatsConnectionState.Connected, null, next.Address.Display))
            {
                next.Abort(new NatsNotConnectedException("The NATS connection was disposed."));
                return;
            }

            Log.Reconnected(_logger, next.Address.Display, (long)Stopwatch.GetElapsedTime(lostAt).TotalMilliseconds);
            connection = next;
        }
    }

    /// <summary>Tries servers in rotation with jittered exponential backoff until one accepts; null once disposed.</summary>
    private async Task<ServerConnection?> ReconnectAsync(CancellationToken disposed)
    {
        for (var attempt = 0; ; attempt++)
        {
            var delay = Backoff(attempt, _options.ReconnectWaitMin, _options.ReconnectWaitMax);
            try
            {
                await Task.Delay(delay, disposed).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            ServerAddress address;
            lock (_serverGate)
            {
                // The first attempt goes back to the server just lost (a restart brings it back on the same
                // address); every failure moves on to the next one, connect_urls included.
                if (attempt > 0)
                {
                    _serverIndex = (_serverIndex + 1) % _servers.Count;
                }

                address = _servers[_serverIndex];
            }

            try
            {
                return await EstablishAsync(address, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (disposed.IsCancellationRequested)
            {
                return null;
            }
            catch (Exception ex)
            {
                Log.ConnectAttemptFailed(_logger, address.Display, attempt + 1, ex.Message);
            }
        }
    }

    /// <summary>
    /// Wait before reconnect attempt <paramref name="attempt"/> (0-based): the ceiling doubles from
    /// <paramref name="min"/> up to <paramref name="max"/>, and the wait is drawn from the upper half of it.
    /// The jitter keeps a fleet of clients that lost the same server from reconnecting in lockstep.
    /// </summary>
    internal static TimeSpan Backoff(int attempt, TimeSpan min, TimeSpan max)
    {
        var ceiling = min.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        ceiling = Math.Min(Math.Max(ceiling, min.TotalMilliseconds), Math.Max(max.TotalMilliseconds, min.TotalMilliseconds));
        var wait = (ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(Math.Max(wait, min.TotalMilliseconds));
    }

    /// <summary>Applies an INFO: max payload, and servers a cluster announces in connect_urls.</summary>
    private void OnInfo(ServerInfo info)
    {
        Interlocked.Exchange(ref _maxPayload, info.MaxPayload);
        if (info.ConnectUrls.Count == 0)
        {
            return;
        }

        lock (_serverGate)
        {
            foreach (var url in info.ConnectUrls)
            {
                ServerAddress discovered;
                try
                {
                    discovered = ServerAddress.Parse(url);
                }
                catch (ArgumentException)
                {
                    continue;
                }

                if (!_servers.Exists(s => s.SameEndpoint(discovered)))
                {
                    _servers.Add(discovered);
                    Log.ServerDiscovered(_logger, discovered.Display);
                }
            }
        }
    }

    /// <summary>CONNECT {"verbose":false,...}␍␊ (https://docs.nats.io/reference/reference-protocols/nats-protocol#connect).</summary>
    private byte[] BuildConnect(ServerAddress address)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(ProtocolStrings.Connect);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();

            // verbose:false: no +OK per command (we learn of errors from -ERR; +OK would double the traffic).
            json.WriteBoolean("verbose", false);
            json.WriteBoolean("pedantic", false);
            json.WriteBoolean("tls_required", false);
            json.WriteString("name", _options.Name);
            json.WriteString("lang", ".NET");
            json.WriteString("version", "1.0.0");

            // protocol 1: the server may send INFO updates (cluster topology) after the handshake.
            json.WriteNumber("protocol", 1);
            json.WriteBoolean("echo", !_options.NoEcho);

            // headers + no_responders: a request nobody listens to is answered at once with status 503
            // instead of waiting out its timeout.
            json.WriteBoolean("headers", true);
            json.WriteBoolean("no_responders", true);

            // Credentials in the URL win over the options, so one list can mix servers with different accounts.
            var user = address.User ?? (address.Token is null ? _options.User : null);
            var password = address.User is not null ? address.Password : (address.Token is null ? _options.Password : null);
            var token = address.Token ?? (address.User is null ? _options.Token : null);
            if (user is not null)
            {
                json.WriteString("user", user);
                json.WriteString("pass", password ?? string.Empty);
            }

            if (token is not null)
            {
                json.WriteString("auth_token", token);
            }

            json.WriteEndObject();
        }

        buffer.Write(ProtocolStrings.Crlf);
        return buffer.WrittenSpan.ToArray();
    }
}
