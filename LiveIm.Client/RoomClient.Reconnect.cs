using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.SignalR;

namespace LiveIm.Client;

/// <summary>Following a draining gateway's <c>reconnect</c> event to another gateway.</summary>
public sealed partial class RoomClient
{
    // One HttpClient for all RoomClients of the process (a load test runs thousands): assignment requests are rare.
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private volatile Uri _gateway;
    private volatile bool _stopped;
    private HubConnection? _retiring;
    private int _reconnecting;

    /// <summary>
    /// Raised when the gateway sends <c>reconnect</c> (it is draining), on the receive loop: do not block in it. When
    /// <see cref="RoomClientOptions.FollowReconnect"/> is on, the client then moves by itself and raises
    /// <see cref="Reconnected"/> or <see cref="ReconnectFailed"/>.
    /// </summary>
    public event Action<ReconnectRequest>? ReconnectRequested;

    /// <summary>Raised after the client moved to another gateway (the argument) and joined its room again with lastSeq.</summary>
    public event Action<Uri>? Reconnected;

    /// <summary>Raised when moving failed after every attempt (the client stays on, or lost, its old connection).</summary>
    public event Action<Exception>? ReconnectFailed;

    /// <summary>The gateway this client is connected to (changes when it follows a <c>reconnect</c>).</summary>
    public Uri GatewayUrl => _gateway;

    private HubConnection Create(Uri gateway)
    {
        var connection = new HubConnection(new HubConnectionOptions
        {
            Url = new Uri(gateway, "/hubs/room"),
            AccessTokenProvider = _options.AccessToken is null ? null : () => _options.AccessToken,
            SkipNegotiation = _options.SkipNegotiation,
            LoggerFactory = _options.LoggerFactory,
        });
        connection.On("events", OnEvents);
        connection.On("reconnect", OnReconnect);
        connection.Closed += ex => OnConnectionClosedAsync(connection, ex);
        return connection;
    }

    private async Task OnConnectionClosedAsync(HubConnection connection, Exception? reason)
    {
        // A connection being replaced (or already replaced) is not the client's end.
        if (connection != _connection || connection == Volatile.Read(ref _retiring) || Closed is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            await ((Func<Exception?, Task>)handler)(reason).ConfigureAwait(false);
        }
    }

    private void OnReconnect(JsonElement[] args)
    {
        if (args.Length == 0 || args[0].ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var reason = args[0].TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "unknown";
        var delayMs = args[0].TryGetProperty("delayMs", out var d) && d.TryGetInt64(out var ms) ? Math.Clamp(ms, 0, 3_600_000) : 0;
        ReconnectRequested?.Invoke(new ReconnectRequest(reason, delayMs));
        if (!_options.FollowReconnect || _stopped || Interlocked.Exchange(ref _reconnecting, 1) != 0)
        {
            return;
        }

        var from = _connection;
        Volatile.Write(ref _retiring, from);
        _ = Task.Run(() => MoveAsync(from, TimeSpan.FromMilliseconds(delayMs)));
    }

    // After the delay: ask for a gateway, connect, join the room again after LastSeq, and only then switch and close
    // the old connection; events arriving on both meanwhile are de-duplicated by seq. A few attempts with a jittered
    // pause, then ReconnectFailed (and Closed, if the old connection is gone by then).
    private async Task MoveAsync(HubConnection from, TimeSpan delay)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        Exception? failure = null;
        for (var attempt = 0; attempt < 5 && !_stopped; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds((250 << attempt) + Random.Shared.Next(250))).ConfigureAwait(false);
            }

            HubConnection? next = null;
            try
            {
                var gateway = await NextGatewayAsync().ConfigureAwait(false);
                next = Create(gateway);
                await next.StartAsync().ConfigureAwait(false);
                if (_roomId is { } roomId)
                {
                    await JoinOnAsync(next, roomId, LastSeq, CancellationToken.None).ConfigureAwait(false);
                }

                if (_stopped)
                {
                    await next.DisposeAsync().ConfigureAwait(false);
                    return;
                }

                _connection = next;
                _gateway = gateway;
                await from.StopAsync().ConfigureAwait(false);
                Volatile.Write(ref _retiring, null);
                Volatile.Write(ref _reconnecting, 0);
                Reconnected?.Invoke(gateway);
                return;
            }
            catch (Exception ex) when (ex is HubConnectionException or HubConnectionClosedException or RoomClientException
                or HttpRequestException or JsonException or InvalidOperationException or TaskCanceledException)
            {
                failure = ex;
                if (next is not null)
                {
                    await next.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        Volatile.Write(ref _retiring, null);
        Volatile.Write(ref _reconnecting, 0);
        ReconnectFailed?.Invoke(failure ?? new OperationCanceledException("stopped"));
        if (from.State == HubConnectionState.Closed)
        {
            await OnConnectionClosedAsync(from, failure).ConfigureAwait(false);
        }
    }

    // RoomService's assignment endpoint when configured; else another gateway of the configured list; else the same.
    private async Task<Uri> NextGatewayAsync()
    {
        if (_options.RoomServiceUrl is { } roomService)
        {
            var query = _roomId is { } roomId ? "?roomId=" + Uri.EscapeDataString(roomId) : "";
            var answer = await s_http.GetFromJsonAsync<JsonElement>(new Uri(roomService, "/api/gateways/assign" + query)).ConfigureAwait(false);
            return new Uri(answer.GetProperty("url").GetString()!, UriKind.Absolute);
        }

        var others = (_options.Gateways ?? []).Where(g => g != _gateway).ToList();
        return others.Count > 0 ? others[Random.Shared.Next(others.Count)] : _gateway;
    }
}
