using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using LiveIm.LoadTest.Runner;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// A signed-in member who sends (gifts, chat) on the official SignalR client, joined to its room through assignment.
/// When its connection ends (its gateway died or drains) the next send finds a gateway again, rejoins and goes on;
/// sends meanwhile fail with <c>disconnected</c> (never acknowledged, so never owed to a viewer).
/// </summary>
internal sealed class Sender : IAsyncDisposable
{
    private readonly GatewayAssignment _assignment;
    private readonly string _token;
    private readonly IPAddress _source;
    private readonly SemaphoreSlim _reconnect = new(1, 1);
    private HubConnection? _connection;
    private volatile bool _moving;

    private Sender(GatewayAssignment assignment, string roomId, string token, IPAddress source)
    {
        _assignment = assignment;
        RoomId = roomId;
        _token = token;
        _source = source;
    }

    /// <summary>Its room.</summary>
    public string RoomId { get; }

    /// <summary>The gateway it is on.</summary>
    public Uri? Gateway { get; private set; }

    /// <summary>Connects through assignment and joins <paramref name="roomId"/>.</summary>
    public static async Task<Sender> ConnectAsync(GatewayAssignment assignment, string roomId, string token, IPAddress source, CancellationToken cancellationToken)
    {
        var sender = new Sender(assignment, roomId, token, source);
        var failure = await sender.ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
        return failure is null ? sender : throw new InvalidOperationException($"sender could not join {roomId}: {failure.ErrorCode}: {failure.Message}");
    }

    /// <summary>Sends gift <paramref name="giftId"/>; on success returns its seq.</summary>
    public async Task<(Response Response, long Seq)> SendGiftAsync(string giftId, string clientMsgId, CancellationToken cancellationToken)
    {
        var (response, result) = await InvokeAsync("SendGift", [giftId, 1, clientMsgId], cancellationToken).ConfigureAwait(false);
        var seq = result is { } r && r.TryGetProperty("seq", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : -1;
        return (response, seq);
    }

    /// <summary>Sends a chat line; on success returns its status (<c>ok</c> published, <c>sampled</c> not chosen by the room's budget).</summary>
    public async Task<(Response Response, string? Status)> SendChatAsync(string text, CancellationToken cancellationToken)
    {
        var (response, result) = await InvokeAsync("SendChat", [text], cancellationToken).ConfigureAwait(false);
        var status = result is { } r && r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        return (response, status);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(Response, JsonElement?)> InvokeAsync(string method, object?[] args, CancellationToken cancellationToken)
    {
        var connection = _connection;
        if (connection is null || connection.State != HubConnectionState.Connected || _moving)
        {
            var failure = await ReconnectAsync(connection, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                return (failure, null);
            }

            connection = _connection!;
        }

        try
        {
            var result = await connection.InvokeCoreAsync<JsonElement>(method, args, cancellationToken).ConfigureAwait(false);
            return (Response.Ok(), result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed send is a failed step, counted by its code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var code = ex is InvalidOperationException && connection.State != HubConnectionState.Connected ? "disconnected" : ErrorCodes.From(ex);
            return (Response.Fail(code, ex.Message), null);
        }
    }

    // One reconnect at a time; the sends that find it busy fail at once instead of queueing behind it.
    private async Task<Response?> ReconnectAsync(HubConnection? dead, CancellationToken cancellationToken)
    {
        if (!await _reconnect.WaitAsync(0, cancellationToken).ConfigureAwait(false))
        {
            return Response.Fail("disconnected", "reconnecting");
        }

        try
        {
            if (_connection is { State: HubConnectionState.Connected } && !ReferenceEquals(_connection, dead) && !_moving)
            {
                return null;
            }

            if (dead is not null)
            {
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            return await ConnectOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reconnect.Release();
        }
    }

    private async Task<Response?> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        var (url, failure, _) = await _assignment.AssignAsync(RoomId, cancellationToken).ConfigureAwait(false);
        if (url is null)
        {
            return failure;
        }

        var source = _source;
        var hub = new Uri(url, $"/hubs/room?access_token={Uri.EscapeDataString(_token)}");
        var connection = new HubConnectionBuilder()
            .WithUrl(hub, options =>
            {
                options.SkipNegotiation = true;
                options.Transports = HttpTransportType.WebSockets;

                // Bound to one loopback source address, so many senders stay under the gateway's per-address cap.
                options.WebSocketFactory = async (context, token) =>
                {
                    var socket = new ClientWebSocket();
                    using var handler = new SocketsHttpHandler
                    {
                        ConnectCallback = async (c, t) =>
                        {
                            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                            try
                            {
                                s.Bind(new IPEndPoint(source, 0));
                                await s.ConnectAsync(c.DnsEndPoint, t).ConfigureAwait(false);
                                return new NetworkStream(s, ownsSocket: true);
                            }
                            catch
                            {
                                s.Dispose();
                                throw;
                            }
                        },
                    };
                    using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
                    await socket.ConnectAsync(context.Uri, invoker, token).ConfigureAwait(false);
                    return socket;
                };
            })
            .Build();
        connection.On<JsonElement>("reconnect", _ => _moving = true);
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
            await connection.InvokeCoreAsync<JsonElement>("JoinRoom", [RoomId, null], cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed connect is reported by its code; the caller retries or counts it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            return Response.Fail(ErrorCodes.From(ex), ex.Message);
        }

        var old = _connection;
        _connection = connection;
        Gateway = url;
        _moving = false;
        if (old is not null && !ReferenceEquals(old, connection))
        {
            _ = old.DisposeAsync().AsTask();
        }

        return null;
    }
}
