using System.Net.Http.Json;
using System.Text.Json;
using LiveIm.Core.Gateways;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveIm.Client;

/// <summary>Moving to another connection: following a draining gateway's <c>reconnect</c> event, or after a drop.</summary>
public sealed partial class RoomClient
{
    /// <summary>Connect attempts of one move before it gives up (about 20 s with the pauses between them).</summary>
    private const int MoveAttempts = 8;

    // One HttpClient for all RoomClients of the process (a load test runs thousands): assignment requests are rare.
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private volatile Uri _gateway;
    private volatile string? _gatewayId; // the current gateway's id, from its JoinRoom answer (or the assignment's)
    private volatile bool _stopped;
    private HubConnection? _retiring;
    private int _reconnecting;

    /// <summary>
    /// Raised when the gateway sends <c>reconnect</c> (it is draining), on the receive loop: do not block in it. When
    /// <see cref="RoomClientOptions.FollowReconnect"/> is on, the client then moves by itself and raises
    /// <see cref="Reconnected"/> or <see cref="ReconnectFailed"/>.
    /// </summary>
    public event Action<ReconnectRequest>? ReconnectRequested;

    /// <summary>
    /// Raised after the client moved to a new connection (to the gateway in the argument: another one after a
    /// <c>reconnect</c> event, any after a drop) and joined its room again with lastSeq.
    /// </summary>
    public event Action<Uri>? Reconnected;

    /// <summary>Raised when moving failed after every attempt (the client stays on, or lost, its old connection).</summary>
    public event Action<Exception>? ReconnectFailed;

    /// <summary>The gateway this client is connected to (changes when it moves).</summary>
    public Uri GatewayUrl => _gateway;

    private async Task OnConnectionClosedAsync(HubConnection connection, ReconnectPermission permission, Exception? reason)
    {
        // A connection being replaced (or already replaced) is not the client's end.
        if (connection != _connection || connection == Volatile.Read(ref _retiring))
        {
            return;
        }

        if (_options.ReconnectOnDrop && permission.Allowed && !_stopped && Interlocked.Exchange(ref _reconnecting, 1) == 0)
        {
            // Every client of a gateway that died sees the drop at once: the jitter spreads their returns over a second.
            Volatile.Write(ref _retiring, connection);
            _ = Task.Run(() => MoveAsync(connection, TimeSpan.FromMilliseconds(Random.Shared.Next(1000)), reason));
            return;
        }

        await RaiseClosedAsync(reason).ConfigureAwait(false);
    }

    private async Task RaiseClosedAsync(Exception? reason)
    {
        if (Closed is not { } handlers)
        {
            return;
        }

        var translated = Translate(reason);
        foreach (var handler in handlers.GetInvocationList())
        {
            await ((Func<Exception?, Task>)handler)(translated).ConfigureAwait(false);
        }
    }

    private void OnReconnect(JsonElement request)
    {
        if (request.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var reason = request.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : "unknown";
        var delayMs = request.TryGetProperty("delayMs", out var d) && d.TryGetInt64(out var ms) ? Math.Clamp(ms, 0, 3_600_000) : 0;
        ReconnectRequested?.Invoke(new ReconnectRequest(reason, delayMs));
        if (!_options.FollowReconnect || _stopped || Interlocked.Exchange(ref _reconnecting, 1) != 0)
        {
            return;
        }

        var from = _connection;
        Volatile.Write(ref _retiring, from);
        _ = Task.Run(() => MoveAsync(from, TimeSpan.FromMilliseconds(delayMs), dropReason: null));
    }

    // After the delay: ask for a gateway, connect, join the room again after LastSeq, and only then switch and close
    // the old connection (still open when following a reconnect event: events arriving on both meanwhile are
    // de-duplicated by seq). A few attempts with a growing, jittered pause, then ReconnectFailed, and Closed if the old
    // connection is gone by then.
    private async Task MoveAsync(HubConnection from, TimeSpan delay, Exception? dropReason)
    {
        await Task.Delay(delay).ConfigureAwait(false);
        Exception? failure = null;
        // Gateways this move could not use: after a drop the old one (a crashed gateway's load report stays fresh for
        // seconds), then each one a connect or join failed on. Assignment passes over them while it has others.
        var avoid = new List<string>();
        if (dropReason is not null)
        {
            AvoidList.Add(avoid, _gatewayId);
        }

        for (var attempt = 0; attempt < MoveAttempts && !_stopped; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 << attempt, 5000) + Random.Shared.Next(250))).ConfigureAwait(false);
            }

            HubConnection? next = null;
            string? nextId = null;
            try
            {
                (var gateway, nextId) = await NextGatewayAsync(avoid).ConfigureAwait(false);
                next = Create(gateway);
                await StartAsync(next, CancellationToken.None).ConfigureAwait(false);
                if (_roomId is { } roomId)
                {
                    var joined = await JoinOnAsync(next, roomId, LastSeq, CancellationToken.None).ConfigureAwait(false);
                    nextId = joined.GatewayId is { Length: > 0 } joinedOn ? joinedOn : nextId;
                }

                if (_stopped)
                {
                    await next.DisposeAsync().ConfigureAwait(false);
                    break;
                }

                _connection = next;
                _gateway = gateway;
                _gatewayId = nextId;
                await from.DisposeAsync().ConfigureAwait(false);
                Volatile.Write(ref _retiring, null);
                Volatile.Write(ref _reconnecting, 0);
                Reconnected?.Invoke(gateway);
                return;
            }
            catch (Exception ex) when (ex is RoomConnectException or RoomClientException or HttpRequestException or JsonException
                or InvalidOperationException or TaskCanceledException or KeyNotFoundException)
            {
                failure = ex;
                AvoidList.Add(avoid, nextId);
                if (next is not null)
                {
                    await next.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        Volatile.Write(ref _retiring, null);
        Volatile.Write(ref _reconnecting, 0);
        ReconnectFailed?.Invoke(failure ?? new OperationCanceledException("stopped"));
        if (from.State == HubConnectionState.Disconnected)
        {
            await RaiseClosedAsync(dropReason ?? failure).ConfigureAwait(false);
        }
    }

    // RoomService's assignment endpoint when configured (passing over the gateways in avoid while it has others);
    // else another gateway of the configured list; else the same. The id is the assignment's (null otherwise).
    private async Task<(Uri Url, string? Id)> NextGatewayAsync(IReadOnlyList<string> avoid)
    {
        if (_options.RoomServiceUrl is { } roomService)
        {
            var query = new List<string>(avoid.Count + 1);
            if (_roomId is { } roomId)
            {
                query.Add("roomId=" + Uri.EscapeDataString(roomId));
            }

            query.AddRange(avoid.Select(id => "avoid=" + Uri.EscapeDataString(id)));
            var path = "/api/gateways/assign" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
            var answer = await s_http.GetFromJsonAsync<JsonElement>(new Uri(roomService, path)).ConfigureAwait(false);
            var id = answer.TryGetProperty("gatewayId", out var g) && g.ValueKind == JsonValueKind.String ? g.GetString() : null;
            return (new Uri(answer.GetProperty("url").GetString()!, UriKind.Absolute), id);
        }

        var others = (_options.Gateways ?? []).Where(g => g != _gateway).ToList();
        return (others.Count > 0 ? others[Random.Shared.Next(others.Count)] : _gateway, null);
    }
}
