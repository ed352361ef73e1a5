using System.Threading.Channels;
using LiveIm.RoomGateway.Delivery;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// One connection as the room engine sees it: its identity, its room, and its ordered outbound queue.
/// While it joins, live events are held in a buffer so that history (on resume) goes out first, then the held
/// live events minus those the history already carried: in order, without duplicates.
/// </summary>
public sealed class RoomMember : IAsyncDisposable
{
    private readonly HubConnectionContext _connection;
    private readonly Channel<SerializedHubMessage> _outbound =
        Channel.CreateUnbounded<SerializedHubMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object _gate = new();
    private readonly Task _writeLoop;
    private List<(ReadOnlyMemory<byte> Json, long? Seq)>? _held;

    public RoomMember(HubConnectionContext connection, MemberIdentity identity)
    {
        _connection = connection;
        Identity = identity;
        _writeLoop = WriteLoopAsync();
    }

    /// <summary>The SignalR connection id.</summary>
    public string ConnectionId => _connection.ConnectionId;

    /// <summary>Who it is.</summary>
    public MemberIdentity Identity { get; }

    /// <summary>The joined room, or null.</summary>
    public string? RoomId { get; set; }

    /// <summary>Serializes JoinRoom/LeaveRoom of this connection.</summary>
    public SemaphoreSlim MembershipLock { get; } = new(1, 1);

    /// <summary>Starts holding live events (the join is fetching its snapshot).</summary>
    public void BeginHold()
    {
        lock (_gate)
        {
            _held = new List<(ReadOnlyMemory<byte>, long?)>();
        }
    }

    /// <summary>Drops whatever was held (the join failed).</summary>
    public void CancelHold()
    {
        lock (_gate)
        {
            _held = null;
        }
    }

    /// <summary>
    /// Sends <paramref name="history"/> then the held live events whose seq the history did not carry, in one
    /// frame, and goes live.
    /// </summary>
    public void CompleteHold(IReadOnlyList<ReadOnlyMemory<byte>> history, long historyMaxSeq)
    {
        lock (_gate)
        {
            var batch = new List<ReadOnlyMemory<byte>>(history);
            foreach (var (json, seq) in _held ?? [])
            {
                if (seq is null || seq > historyMaxSeq)
                {
                    batch.Add(json);
                }
            }

            _held = null;
            if (batch.Count > 0)
            {
                _outbound.Writer.TryWrite(EventFrame.Build(batch));
            }
        }
    }

    /// <summary>Delivers one live event (the frame is shared by every member; <paramref name="json"/> is kept only while holding).</summary>
    public void Deliver(SerializedHubMessage frame, ReadOnlyMemory<byte> json, long? seq)
    {
        lock (_gate)
        {
            if (_held is not null)
            {
                _held.Add((json, seq));
                return;
            }

            _outbound.Writer.TryWrite(frame);
        }
    }

    /// <summary>Delivers events read back from history (repair after a bus outage).</summary>
    public void DeliverBatch(SerializedHubMessage frame, IReadOnlyList<(ReadOnlyMemory<byte> Json, long? Seq)> events)
    {
        lock (_gate)
        {
            if (_held is not null)
            {
                _held.AddRange(events);
                return;
            }

            _outbound.Writer.TryWrite(frame);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbound.Writer.TryComplete();
        await _writeLoop;
    }

    // One writer per connection keeps frames in order. HubConnectionContext.WriteAsync waits for the transport
    // when the client reads slowly; only this connection's loop waits, never the room's fan-out.
    // (The bounded backlog and slow-consumer policy come with the fan-out engine.)
    private async Task WriteLoopAsync()
    {
        await Task.Yield();
        try
        {
            await foreach (var frame in _outbound.Reader.ReadAllAsync())
            {
                await _connection.WriteAsync(frame);
            }
        }
        catch (Exception) when (_connection.ConnectionAborted.IsCancellationRequested)
        {
            // The connection went away; its member is removed by OnDisconnectedAsync.
        }
    }
}
