using System.Text.Json;
using LiveIm.Core.Events;
using LiveIm.Core.Serialization;
using LiveIm.SignalR;

namespace LiveIm.Client;

/// <summary>
/// A LiveIm room connection: join a room, send chat, gifts and likes, moderate (streamers and moderators), receive the room's events in order.
/// Tracks the reliable seqs it has received (a window, so a late or reordered gift still counts) so that
/// <see cref="ResumeAsync"/> after a reconnect gets exactly the missed gifts; drops a reliable event it already has.
/// Follows a draining gateway's <c>reconnect</c> event to another gateway (RoomClient.Reconnect.cs).
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
        _options = options;
        _gateway = options.GatewayUrl;
        _connection = Create(options.GatewayUrl);
    }

    /// <summary>Raised for each <c>events</c> batch, in order, on the receive loop: do not block in it.</summary>
    public event Action<IReadOnlyList<RoomEvent>>? EventsReceived;

    /// <summary>
    /// Raised once when the connection ends (the exception says why; null for a clean stop). Not raised for a
    /// connection the client replaced itself when it followed a <c>reconnect</c> event.
    /// </summary>
    public event Func<Exception?, Task>? Closed;

    /// <summary>The room joined last, or null.</summary>
    public string? RoomId => _roomId;

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

    /// <summary>The underlying hub connection (for raw calls and hostile-input tests); a new one after a reconnect.</summary>
    public HubConnection Connection => _connection;

    /// <summary>Connects and completes the handshake.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default) => _connection.StartAsync(cancellationToken);

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

        var result = await Call<JoinResult>(connection, "JoinRoom", [roomId, lastSeq], cancellationToken);
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

    /// <summary>Joins <see cref="RoomId"/> again after its last received seq (use on a new connection after a drop).</summary>
    public Task<JoinResult> ResumeAsync(string roomId, long lastSeq, CancellationToken cancellationToken = default) =>
        JoinRoomAsync(roomId, lastSeq, cancellationToken);

    /// <summary>Leaves the room.</summary>
    public async Task LeaveRoomAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _connection.InvokeAsync("LeaveRoom", [], cancellationToken);
        }
        catch (SignalR.HubException ex)
        {
            throw RoomClientException.Parse(ex.Message, ex);
        }

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

    /// <summary>Closes the connection.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        _stopped = true;
        return _connection.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private Task<T> Call<T>(string method, object?[] args, CancellationToken cancellationToken) =>
        Call<T>(_connection, method, args, cancellationToken);

    private static async Task<T> Call<T>(HubConnection connection, string method, object?[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.InvokeAsync<T>(method, args, cancellationToken);
        }
        catch (SignalR.HubException ex)
        {
            throw RoomClientException.Parse(ex.Message, ex);
        }
    }

    private void OnEvents(JsonElement[] args)
    {
        if (args.Length == 0 || args[0].ValueKind != JsonValueKind.Array)
        {
            return;
        }

        var batch = new List<RoomEvent>(args[0].GetArrayLength());
        foreach (var element in args[0].EnumerateArray())
        {
            var e = element.Deserialize(LiveImJson.Default.RoomEvent);
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
