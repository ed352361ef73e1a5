using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A hub WebSocket (handshake done, then idle) or a negotiate request from a chosen loopback source address
/// (127.0.0.x: every one of them is the loopback interface on Linux), so that one in-process gateway sees several
/// client IP addresses. For the connection caps.
/// </summary>
public sealed class AddressedHubSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;

    private AddressedHubSocket(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    /// <summary>An HTTP handler whose connections leave from <paramref name="from"/>.</summary>
    public static SocketsHttpHandler HandlerFrom(IPAddress from) => new()
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>
    /// Opens the hub WebSocket at <paramref name="gateway"/> from <paramref name="from"/> and completes the handshake;
    /// on an HTTP refusal returns no socket, the status and the <c>Retry-After</c> header.
    /// </summary>
    public static async Task<(AddressedHubSocket? Socket, int Status, string? RetryAfter)> TryOpenAsync(Uri gateway, IPAddress from, string path = "/hubs/room")
    {
        var invoker = new HttpMessageInvoker(HandlerFrom(from));
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new UriBuilder(gateway) { Scheme = "ws", Path = path }.Uri, invoker, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            var status = (int)socket.HttpStatusCode;
            var retryAfter = socket.HttpResponseHeaders?.TryGetValue("Retry-After", out var values) == true ? values.FirstOrDefault() : null;
            socket.Dispose();
            invoker.Dispose();
            return (null, status, retryAfter);
        }

        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var read = await socket.ReceiveAsync(buffer, CancellationToken.None);
        var handshake = Encoding.UTF8.GetString(buffer, 0, read.Count);
        if (handshake != "{}\u001e")
        {
            throw new InvalidOperationException("handshake failed: " + handshake);
        }

        return (new AddressedHubSocket(socket, invoker), 101, null);
    }

    /// <summary>POSTs negotiate from <paramref name="from"/>: status, Retry-After, content type and body.</summary>
    public static async Task<(int Status, string? RetryAfter, string? ContentType, string Body)> NegotiateAsync(Uri gateway, IPAddress from)
    {
        using var http = new HttpClient(HandlerFrom(from));
        using var response = await http.PostAsync(new Uri(gateway, "/hubs/room/negotiate?negotiateVersion=1"), null);
        return ((int)response.StatusCode, response.Headers.TryGetValues("Retry-After", out var v) ? v.FirstOrDefault() : null,
            response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        _invoker.Dispose();
        return ValueTask.CompletedTask;
    }
}
