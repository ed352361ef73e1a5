using System.Text.Json;
using LiveIm.Core.Events;
using LiveIm.Core.Serialization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveIm.Client;

/// <summary>
/// A LiveIm room connection: join a room, send chat, gifts and likes, moderate (streamers and moderators), receive the room's events in order.
/// Stands on the official SignalR client (<c>Microsoft.AspNetCore.SignalR.Client</c>, WebSockets only); what LiveIm
/// adds on top: it tracks the reliable seqs it has received (a window, so a late or reordered gift still counts) so
/// that <see cref="ResumeAsync"/> after a reconnect gets exactly the missed gifts, drops a reliable event it already
/// has, follows a draining gateway's <c>reconnect</c> event to another gateway and, when asked, reconnects and resumes
/// by itself after a drop (RoomClient.Reconnect.cs). No type of the SignalR client shows through this API.
/// </summary>
public sealed partial class RoomClient : IAsyncDisposable
{
    private readonly RoomClientOptions _options;
    private readonly object _gate = new();
    private volatile HubConnection _connection;
    private string? _roomId;
    private SeqWindow _received = new();
    private long _floor;

    public RoomClient(RoomClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _gateway = options.GatewayUrl;
        _connection = Create(options.GatewayUrl);
    }

    /// <summary>Raised for each <c>events</c> batch, in order, on the receive loop: do not block in it.</summary>
    public event Action<IReadOnlyList<RoomEvent>>? EventsReceived;

    /// <summary>
    /// Raised once when the connection ends: null for a clean stop, a <see cref="RoomClosedException"/> when the gateway
    /// closed it with a reason (its code says which), else the transport's error. Not raised for a connection the
    /// client replaced itself (following a <c>reconnect</c> event, or reconnecting after a drop with
    /// <see cref="RoomClientOptions.ReconnectOnDrop"/>); raised when such a move finally failed.
    /// </summary>
    public event Func<Exception?, Task>? Closed;

    /// <summary>The room joined last, or null.</summary>
    public string? RoomId => _roomId;

    /// <summary>True while the current connection is open.</summary>
    public bool IsConnected => _connection.State == HubConnectionState.Connected;

    /// <summary>
    /// The reliable seq to resume after: the highest one up to which nothing is missing since the join (a gift
    /// that arrived out of order does not hide a gap before it). 0 before any.
    /// </summary>
    public long LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _received.ContiguousFrom(_floor);
            }
        }
    }

    /// <summary>Connects and completes the handshake.</summary>
    /// <exception cref="RoomConnectException">The gateway refused or could not be reached.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => StartAsync(_connection, cancellationToken);

    /// <summary>Joins a room; with <paramref name="lastSeq"/>, resumes after it.</summary>
    public Task<JoinResult> JoinRoomAsync(string roomId, long? lastSeq = null, CancellationToken cancellationToken = default) =>
        JoinOnAsync(_connection, roomId, lastSeq, cancellationToken);

    private async Task<JoinResult> JoinOnAsync(HubConnection connection, string roomId, long? lastSeq, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_roomId != roomId)
            {
                _received = new SeqWindow();
            }

            _floor = lastSeq ?? 0;
            _roomId = roomId;
        }

        var result = await Call<JoinResult>(connection, "JoinRoom", [roomId, lastSeq], cancellationToken).ConfigureAwait(false);
        if (connection == _connection && result.GatewayId is { Length: > 0 } gatewayId)
        {
            _gatewayId = gatewayId; // what a move after a drop asks assignment to pass over
        }

        if (lastSeq is null)
        {
            lock (_gate)
            {
                // A fresh join starts at the room's current seq: nothing before it is owed.
                _floor = Math.Max(_floor, result.Seq);
            }
        }

        return result;
    }

    /// <summary>Joins <paramref name="roomId"/> again after <paramref name="lastSeq"/> (use on a new connection after a drop).</summary>
    public Task<JoinResult> ResumeAsync(string roomId, long lastSeq, CancellationToken cancellationToken = default) =>
        JoinRoomAsync(roomId, lastSeq, cancellationToken);

    /// <summary>Leaves the room.</summary>
    public async Task LeaveRoomAsync(CancellationToken cancellationToken = default)
    {
        await Call<object?>(_connection, "LeaveRoom", [], cancellationToken).ConfigureAwait(false);
        _roomId = null;
    }

    /// <summary>Sends a chat line.</summary>
    public Task<ChatResult> SendChatAsync(string text, CancellationToken cancellationToken = default) =>
        Call<ChatResult>("SendChat", [text], cancellationToken);

    /// <summary>Sends a gift; retry with the same <paramref name="clientMsgId"/> until acknowledged.</summary>
    public Task<GiftResult> SendGiftAsync(string giftId, int count, string clientMsgId, CancellationToken cancellationToken = default) =>
        Call<GiftResult>("SendGift", [giftId, count, clientMsgId], cancellationToken);

    /// <summary>Sends likes.</summary>
    public Task<LikeResult> SendLikeAsync(int count, CancellationToken cancellationToken = default) =>
        Call<LikeResult>("SendLike", [count], cancellationToken);

    /// <summary>Mutes <paramref name="userId"/> in the joined room for <paramref name="seconds"/> (1 s .. 7 days). Streamer and moderators only.</summary>
    public Task<ModerationResult> MuteAsync(string userId, int seconds, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("Mute", [userId, seconds], cancellationToken);

    /// <summary>Lifts a mute.</summary>
    public Task<ModerationResult> UnmuteAsync(string userId, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("Unmute", [userId], cancellationToken);

    /// <summary>Bans <paramref name="userId"/> from the joined room; its connections in the room are closed.</summary>
    public Task<ModerationResult> BanAsync(string userId, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("Ban", [userId], cancellationToken);

    /// <summary>Lifts a ban.</summary>
    public Task<ModerationResult> UnbanAsync(string userId, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("Unban", [userId], cancellationToken);

    /// <summary>Slow mode: one chat line per viewer per <paramref name="seconds"/> (0 = off, at most 3600).</summary>
    public Task<ModerationResult> SetSlowModeAsync(int seconds, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("SetSlowMode", [seconds], cancellationToken);

    /// <summary>Asks every client of the room to hide message <paramref name="id"/>.</summary>
    public Task<ModerationResult> DeleteMessageAsync(long id, CancellationToken cancellationToken = default) =>
        Call<ModerationResult>("DeleteMessage", [id], cancellationToken);

    /// <summary>
    /// Streamer only: reports the stream time current now (ms on the stream's own timeline), every 0.5-2 s. RoomService
    /// estimates the room's stream clock from the reports and stamps events with it (docs/stream-clock.md).
    /// </summary>
    public Task<ClockResult> ReportStreamClockAsync(long streamMs, CancellationToken cancellationToken = default) =>
        Call<ClockResult>("ReportStreamClock", [streamMs], cancellationToken);

    /// <summary>Closes the connection (and stops any reconnecting).</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        return _connection.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _stopped = true;
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private Task<T> Call<T>(string method, object?[] args, CancellationToken cancellationToken) =>
        Call<T>(_connection, method, args, cancellationToken);

    // Every failure becomes a RoomClientException: the server's "code: detail" (a call error, or the close message
    // that ended the connection while the call was pending), or Disconnected when there was no connection to call on
    // or it ended without a reason. The official client's own exception types stay inside.
    private static async Task<T> Call<T>(HubConnection connection, string method, object?[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.InvokeCoreAsync<T>(method, args, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException ex)
        {
            throw RoomClientException.Parse(ServerCloseError(ex) ?? ex.Message, ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Net.WebSockets.WebSocketException
            or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new RoomClientException(RoomClientException.Disconnected, $"{RoomClientException.Disconnected}: {method} had no open connection ({ex.Message})", null, ex);
        }
    }

    private void OnEvents(JsonElement batchElement)
    {
        if (batchElement.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var batch = new List<RoomEvent>(batchElement.GetArrayLength());
        foreach (var element in batchElement.EnumerateArray())
        {
            RoomEvent? e;
            try
            {
                e = element.Deserialize(LiveImJson.Default.RoomEvent);
            }
            catch (JsonException)
            {
                // Not a room event this client understands: skipped, the rest of the batch still counts.
                continue;
            }

            if (e is null)
            {
                continue;
            }

            if (e.Seq is { } seq && Lane.IsReliable(e.Lane))
            {
                // The server already delivers each seq once per connection; this guards a resume that overlaps.
                lock (_gate)
                {
                    if (!_received.TryMark(seq))
                    {
                        continue;
                    }
                }
            }

            batch.Add(e);
        }

        if (batch.Count > 0)
        {
            EventsReceived?.Invoke(batch);
        }
    }
}
