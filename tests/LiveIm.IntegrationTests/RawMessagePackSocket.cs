using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using LiveIm.Core.Serialization;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A hub connection at the SignalR MessagePack protocol level (binary WebSocket messages, VarInt length-prefixed
/// records), so a test can send any bytes and read every record the gateway writes: completions, close messages and
/// <c>events</c> frames (their events transcoded to JSON for assertions).
/// </summary>
public sealed class RawMessagePackSocket : IAsyncDisposable
{
    private static readonly MessagePackHubProtocol Protocol = new();
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly List<byte> _pending = [];
    private int _nextInvocationId = 100;

    /// <param name="receiveBufferBytes">The socket's receive buffer: small, so a test that stops reading makes the gateway see a slow consumer quickly.</param>
    public RawMessagePackSocket(int receiveBufferBytes = 64 * 1024)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferBytes };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        _invoker = new HttpMessageInvoker(handler);
        _socket.Options.SetBuffer(4096, 4096);
    }

    /// <summary>The events of every <c>events</c> frame read so far, each as its JSON text.</summary>
    public List<string> Events { get; } = [];

    /// <summary>The size in bytes of every <c>events</c> record read so far (length prefix included).</summary>
    public List<int> FrameSizes { get; } = [];

    /// <summary>Connects without negotiation (token as <c>access_token</c> when given) and completes the MessagePack handshake.</summary>
    public async Task ConnectAsync(Uri gateway, string? token = null, CancellationToken ct = default)
    {
        var ws = new UriBuilder(gateway)
        {
            Scheme = "ws", Path = "/hubs/room", Query = token is null ? string.Empty : "access_token=" + Uri.EscapeDataString(token),
        }.Uri;
        await _socket.ConnectAsync(ws, _invoker, ct);
        await SendRawAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"messagepack\",\"version\":1}\u001e"), ct);

        // The handshake answer is JSON ended by 0x1E, even on a binary protocol.
        while (_pending.IndexOf(0x1e) < 0)
        {
            if (!await ReceiveAsync(ct))
            {
                throw new InvalidOperationException("closed during the handshake");
            }
        }

        var end = _pending.IndexOf(0x1e);
        var handshake = Encoding.UTF8.GetString([.. _pending.GetRange(0, end)]);
        _pending.RemoveRange(0, end + 1);
        if (handshake != "{}")
        {
            throw new InvalidOperationException("handshake failed: " + handshake);
        }
    }

    /// <summary>Sends <paramref name="bytes"/> as one binary WebSocket message, exactly as given.</summary>
    public Task SendRawAsync(byte[] bytes, CancellationToken ct = default) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, ct);

    /// <summary>The bytes of an invocation of <paramref name="target"/> as the official MessagePack protocol writes it.</summary>
    public static byte[] Invocation(string? invocationId, string target, params object?[] arguments) =>
        Protocol.GetMessageBytes(new InvocationMessage(invocationId, target, arguments)).ToArray();

    /// <summary>Invokes <paramref name="target"/> with <paramref name="arguments"/> (MessagePack's own encoding of each) and reads its outcome.</summary>
    public async Task<HubOutcome> InvokeAsync(string target, object?[] arguments, CancellationToken ct = default)
    {
        var id = (++_nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendRawAsync(Invocation(id, target, arguments), ct);
        return await ReadOutcomeAsync(id, ct);
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/> (any completion when null), a close message, or the end.</summary>
    public async Task<HubOutcome> ReadOutcomeAsync(string? invocationId, CancellationToken ct = default)
    {
        while (true)
        {
            if (await ReadNextAsync(invocationId, ct) is { } outcome)
            {
                return outcome;
            }
        }
    }

    // Reads one record: its outcome when it ends the wait (that completion, a close, the end), else null.
    private async Task<HubOutcome?> ReadNextAsync(string? invocationId, CancellationToken ct)
    {
        if (await ReadRecordAsync(ct) is not { } record)
        {
            return new HubOutcome(HubOutcomeKind.Dropped, null);
        }

        var reader = new MessagePackReader(record.Payload);
        var count = reader.ReadArrayHeader();
        switch (reader.ReadInt32())
        {
            case 1: // [1, headers, invocationId, target, arguments, streamIds?]
                reader.Skip();
                reader.Skip();
                if (reader.ReadString() == "events")
                {
                    reader.ReadArrayHeader();
                    var batch = reader.ReadArrayHeader();
                    for (var i = 0; i < batch; i++)
                    {
                        Events.Add(Encoding.UTF8.GetString(MessagePackJson.ToJson(ref reader)));
                    }

                    FrameSizes.Add(record.Size);
                }

                return null;
            case 3: // [3, headers, invocationId, resultKind (1 error, 2 void, 3 result), result?]
                reader.Skip();
                var id = reader.ReadString();
                if (invocationId is not null && id != invocationId)
                {
                    return null;
                }

                return reader.ReadInt32() switch
                {
                    1 => new HubOutcome(HubOutcomeKind.Error, reader.ReadString()),
                    3 => new HubOutcome(HubOutcomeKind.Result, Encoding.UTF8.GetString(MessagePackJson.ToJson(ref reader))),
                    _ => new HubOutcome(HubOutcomeKind.Result, null),
                };
            case 7: // [7, error, allowReconnect?]
                var error = reader.TryReadNil() ? null : reader.ReadString();
                CloseAllowsReconnect = count > 2 && reader.ReadBoolean();
                return new HubOutcome(HubOutcomeKind.Closed, error);
            default:
                return null;
        }
    }

    /// <summary>The <c>allowReconnect</c> of the SignalR close message, once one was read.</summary>
    public bool? CloseAllowsReconnect { get; private set; }

    /// <summary>Invokes <c>JoinRoom(room, null)</c> and fails unless it completes without an error.</summary>
    public async Task JoinAsync(string room, CancellationToken ct = default)
    {
        var outcome = await InvokeAsync("JoinRoom", [room, null], ct);
        if (outcome.Kind != HubOutcomeKind.Result)
        {
            throw new InvalidOperationException("join failed: " + outcome);
        }
    }

    /// <summary>Reads records until <paramref name="condition"/> holds for <see cref="Events"/> or the socket ends.</summary>
    public async Task<bool> ReadEventsUntilAsync(Func<List<string>, bool> condition, CancellationToken ct)
    {
        while (!condition(Events))
        {
            if (await ReadNextAsync("never", ct) is { Kind: HubOutcomeKind.Closed or HubOutcomeKind.Dropped })
            {
                return false;
            }
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }

    // The next record (payload without its VarInt length), or null when the socket closed.
    private async Task<(byte[] Payload, int Size)?> ReadRecordAsync(CancellationToken ct)
    {
        while (true)
        {
            long length = 0;
            var prefix = 0;
            var complete = false;
            while (prefix < _pending.Count && prefix < 5)
            {
                var b = _pending[prefix];
                length |= (long)(b & 0x7f) << (7 * prefix);
                prefix++;
                if ((b & 0x80) == 0)
                {
                    complete = true;
                    break;
                }
            }

            if (complete && _pending.Count - prefix >= length)
            {
                var payload = _pending.GetRange(prefix, (int)length).ToArray();
                _pending.RemoveRange(0, prefix + (int)length);
                return (payload, prefix + (int)length);
            }

            if (!await ReceiveAsync(ct))
            {
                return null;
            }
        }
    }

    private async Task<bool> ReceiveAsync(CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var result = await _socket.ReceiveAsync(buffer, ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return false;
            }

            _pending.AddRange(buffer.AsSpan(0, result.Count));
            return true;
        }
        catch (WebSocketException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
