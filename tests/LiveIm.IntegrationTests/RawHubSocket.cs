using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A hub connection at the SignalR JSON protocol level over a WebSocket whose socket has a tiny receive buffer, so
/// a test can stop reading and make the gateway see a slow consumer quickly, then read again and inspect every
/// frame (including the close message).
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly HttpMessageInvoker _invoker;
    private readonly StringBuilder _pending = new();
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private int _nextInvocationId = 100;

    /// <summary>The WebSocket close status the server sent, once the socket closed (1007 = invalid UTF-8, ...).</summary>
    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <summary>The <c>allowReconnect</c> of the SignalR close message, once one was read.</summary>
    public bool? CloseAllowsReconnect { get; private set; }

    /// <summary>The HTTP status of a refused connect (401, 429, 503, ...), 0 before a connect attempt.</summary>
    public int RefusedStatus { get; private set; }

    public RawHubSocket(int receiveBufferBytes = 4096)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBufferBytes };
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        _invoker = new HttpMessageInvoker(handler);
        _socket.Options.SetBuffer(4096, 4096);
        _socket.Options.CollectHttpResponseDetails = true;
    }

    /// <summary>Connects to the hub at <paramref name="gateway"/> without negotiation and completes the handshake.</summary>
    public async Task ConnectAsync(Uri gateway, CancellationToken ct = default) =>
        await ConnectAsync(gateway, null, ct);

    /// <summary>
    /// Connects with <paramref name="token"/> as <c>access_token</c> (none when null) and completes the handshake.
    /// A refused upgrade throws <see cref="WebSocketException"/> with <see cref="RefusedStatus"/> set.
    /// </summary>
    public Task ConnectAsync(Uri gateway, string? token, CancellationToken ct = default) =>
        ConnectAsync(gateway, token, null, ct);

    /// <summary>As <see cref="ConnectAsync(Uri, string?, CancellationToken)"/>, with <paramref name="query"/> (already escaped) added to the URL.</summary>
    public async Task ConnectAsync(Uri gateway, string? token, string? query, CancellationToken ct = default)
    {
        var parts = new[] { token is null ? null : "access_token=" + Uri.EscapeDataString(token), query }.Where(p => p is not null);
        var ws = new UriBuilder(gateway) { Scheme = "ws", Path = "/hubs/room", Query = string.Join('&', parts) }.Uri;
        try
        {
            await _socket.ConnectAsync(ws, _invoker, ct);
        }
        catch (WebSocketException)
        {
            RefusedStatus = (int)_socket.HttpStatusCode;
            throw;
        }

        await SendAsync("{\"protocol\":\"json\",\"version\":1}", ct);
        var handshake = await ReadRecordAsync(ct);
        if (handshake != "{}")
        {
            throw new InvalidOperationException("handshake failed: " + handshake);
        }
    }

    /// <summary>Sends <paramref name="bytes"/> as one WebSocket text message, exactly as given (no separator added).</summary>
    public Task SendRawAsync(byte[] bytes, CancellationToken ct = default) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Text, true, ct);

    /// <summary>
    /// Invokes <paramref name="target"/> with the JSON array <paramref name="argumentsJson"/> (sent as is) and reads
    /// until its completion or the connection's end, skipping room events and pings.
    /// </summary>
    public async Task<HubOutcome> InvokeAsync(string target, string argumentsJson, CancellationToken ct = default)
    {
        var id = (++_nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await SendAsync($"{{\"type\":1,\"invocationId\":\"{id}\",\"target\":{JsonSerializer.Serialize(target)},\"arguments\":{argumentsJson}}}", ct);
        return await ReadOutcomeAsync(id, ct);
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/> (any completion when null), a close message, or the end.</summary>
    public async Task<HubOutcome> ReadOutcomeAsync(string? invocationId, CancellationToken ct = default)
    {
        while (true)
        {
            var record = await ReadRecordAsync(ct);
            if (record is null)
            {
                return new HubOutcome(HubOutcomeKind.Dropped, null);
            }

            using var doc = JsonDocument.Parse(record);
            var root = doc.RootElement;
            switch (root.GetProperty("type").GetInt32())
            {
                case 3 when invocationId is null || root.GetProperty("invocationId").GetString() == invocationId:
                    return root.TryGetProperty("error", out var error)
                        ? new HubOutcome(HubOutcomeKind.Error, error.GetString())
                        : new HubOutcome(HubOutcomeKind.Result, root.TryGetProperty("result", out var result) ? result.GetRawText() : null);
                case 7:
                    CloseAllowsReconnect = root.TryGetProperty("allowReconnect", out var allow) && allow.ValueKind == JsonValueKind.True;
                    return new HubOutcome(HubOutcomeKind.Closed, root.TryGetProperty("error", out var closeError) ? closeError.GetString() : null);
            }
        }
    }

    /// <summary>Invokes <c>JoinRoom(room, lastSeq)</c> and waits for its completion.</summary>
    public async Task JoinAsync(string room, CancellationToken ct = default)
    {
        await SendAsync($"{{\"type\":1,\"invocationId\":\"1\",\"target\":\"JoinRoom\",\"arguments\":[\"{room}\",null]}}", ct);
        while (true)
        {
            var record = await ReadRecordAsync(ct) ?? throw new InvalidOperationException("closed while joining");
            using var doc = JsonDocument.Parse(record);
            if (doc.RootElement.GetProperty("type").GetInt32() == 3)
            {
                if (doc.RootElement.TryGetProperty("error", out var error))
                {
                    throw new InvalidOperationException("join failed: " + error.GetString());
                }

                return;
            }
        }
    }

    /// <summary>The next record (SignalR message without its 0x1E), or null when the socket closed.</summary>
    public async Task<string?> ReadRecordAsync(CancellationToken ct = default)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf('\u001e');
            if (end >= 0)
            {
                _pending.Remove(0, end + 1);
                return text[..end];
            }

            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, ct);
            }
            catch (WebSocketException)
            {
                return null;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                CloseStatus = result.CloseStatus;
                return null;
            }

            var chars = new char[result.Count + 4];
            _pending.Append(chars, 0, _utf8.GetChars(buffer, 0, result.Count, chars, 0));
        }
    }

    /// <summary>The client's WebSocket state (CloseReceived once the server's close frame was read and not answered).</summary>
    public WebSocketState State => _socket.State;

    /// <summary>Sends the client's close frame (NormalClosure) without waiting for the server's.</summary>
    public Task SendCloseAsync(CancellationToken ct = default) =>
        _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        await Task.CompletedTask;
    }

    private Task SendAsync(string record, CancellationToken ct) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(record + "\u001e"), WebSocketMessageType.Text, true, ct);
}

/// <summary>How a hub call ended.</summary>
public enum HubOutcomeKind
{
    /// <summary>A completion with a result (or none).</summary>
    Result,

    /// <summary>A completion with an error; <see cref="HubOutcome.Text"/> is <c>"code: detail"</c>.</summary>
    Error,

    /// <summary>A SignalR close message; <see cref="HubOutcome.Text"/> is its error, if any.</summary>
    Closed,

    /// <summary>The socket ended without a close message.</summary>
    Dropped,
}

/// <summary>The end of a hub call: its kind and its text (result JSON, error or close reason).</summary>
public sealed record HubOutcome(HubOutcomeKind Kind, string? Text)
{
    /// <summary>The stable code of an error or close (the text before the first colon), or null.</summary>
    public string? Code => Text is { } t && (Kind is HubOutcomeKind.Error or HubOutcomeKind.Closed) && t.IndexOf(':') is > 0 and var i ? t[..i] : null;

    public override string ToString() => Kind + (Text is null ? string.Empty : " " + (Text.Length > 120 ? Text[..120] + "..." : Text));
}
