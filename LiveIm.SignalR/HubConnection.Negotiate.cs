using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using LiveIm.SignalR.Protocol;

namespace LiveIm.SignalR;

// Finding the WebSocket URL (negotiate, redirect, query string) and opening it.
public sealed partial class HubConnection
{
    // One handler for the whole process: 20,000 connections must not mean 20,000 connection pools. Negotiate requests
    // reuse pooled HTTP connections; a WebSocket upgrade takes its connection out of the pool for good.
    // PooledConnectionLifetime lets DNS changes be noticed on long runs.
    private static readonly SocketsHttpHandler s_httpHandler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    // The start deadline (HandshakeTimeout) bounds each request, so HttpClient's own 100 s timeout is turned off.
    private static readonly HttpClient s_negotiateClient = new(s_httpHandler, disposeHandler: false)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private static readonly HttpMessageInvoker s_webSocketInvoker = new(s_httpHandler, disposeHandler: false);

    private async Task<(Uri WebSocketUri, string? ConnectionId)> ResolveEndpointAsync(CancellationToken cancellationToken)
    {
        var url = _options.Url;
        var accessToken = _options.AccessTokenProvider?.Invoke();
        if (_options.SkipNegotiation)
        {
            // "the client is not required to use the POST [endpoint-base]/negotiate request to establish a connection"
            return (BuildWebSocketUri(url, null, accessToken), null);
        }

        var redirected = false;
        while (true)
        {
            var response = await NegotiateAsync(url, accessToken, cancellationToken).ConfigureAwait(false);
            if (response.Error is { } error)
            {
                throw new HubConnectionException(error);
            }

            if (response.Url is { } redirectUrl)
            {
                // "A redirect response which tells the client which URL and optionally access token to use". Followed
                // once: a second redirect is a misconfigured server, not something to loop on.
                if (redirected)
                {
                    throw new HubConnectionException($"Negotiate redirected twice (last to {redirectUrl}).");
                }

                redirected = true;
                url = new Uri(redirectUrl);
                accessToken = response.AccessToken ?? accessToken;
                Log.NegotiateRedirected(_logger, url);
                continue;
            }

            if (response.Transports is { } transports && !transports.Contains(HubProtocolConstants.WebSocketsTransport))
            {
                throw new HubConnectionException($"The server at {url} does not offer the WebSockets transport.");
            }

            var id = response.ConnectionToken ?? response.ConnectionId
                ?? throw new HubConnectionException("The negotiate response has neither connectionToken nor connectionId.");
            Log.Negotiated(_logger, response.ConnectionId);
            return (BuildWebSocketUri(url, id, accessToken), response.ConnectionId);
        }
    }

    private async Task<NegotiateResponse> NegotiateAsync(Uri url, string? accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BuildNegotiateUri(url));
        if (accessToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        }

        if (_options.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await s_negotiateClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            throw new HubConnectionException($"Negotiate with {url} failed: HTTP {status} {response.ReasonPhrase}.", status);
        }

        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return NegotiateResponse.Parse(body);
    }

    private async Task<ClientWebSocket> ConnectWebSocketAsync(Uri uri, CancellationToken cancellationToken)
    {
        var webSocket = new ClientWebSocket();
        try
        {
            // The hub protocol has its own pings (KeepAliveInterval); WebSocket-level pongs on top would only add traffic.
            webSocket.Options.KeepAliveInterval = TimeSpan.Zero;
            webSocket.Options.CollectHttpResponseDetails = true;
            if (_options.Headers is { } headers)
            {
                foreach (var (name, value) in headers)
                {
                    webSocket.Options.SetRequestHeader(name, value);
                }
            }

            try
            {
                await webSocket.ConnectAsync(uri, s_webSocketInvoker, cancellationToken).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (webSocket.HttpStatusCode is not (0 or HttpStatusCode.SwitchingProtocols))
            {
                var status = (int)webSocket.HttpStatusCode;
                throw new HubConnectionException($"The WebSocket upgrade to {_options.Url} was refused: HTTP {status}.", status, ex);
            }

            return webSocket;
        }
        catch
        {
            webSocket.Dispose();
            throw;
        }
    }

    private static async Task ReadHandshakeResponseAsync(ClientWebSocket webSocket, RecordBuffer buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await webSocket.ReceiveAsync(buffer.GetMemory(), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new HubConnectionException(
                    $"The server closed the WebSocket during the handshake ({webSocket.CloseStatus} {webSocket.CloseStatusDescription}).");
            }

            buffer.Advance(result.Count);

            // The response is the first record; anything after it (a ping, an invocation) stays buffered for the receive loop.
            if (buffer.TryReadRecord(out var record))
            {
                // "HandshakeResponse ... Contains an error if the handshake failed."
                if (HubMessageParser.ParseHandshakeResponse(record.Span) is { } error)
                {
                    throw new HubConnectionException(error);
                }

                return;
            }
        }
    }

    /// <summary><c>{url}/negotiate?{existing query}&amp;negotiateVersion=1</c>.</summary>
    internal static Uri BuildNegotiateUri(Uri url)
    {
        var builder = new UriBuilder(url);
        builder.Path = builder.Path.TrimEnd('/') + "/" + HubProtocolConstants.NegotiatePath;
        builder.Query = AppendQuery(builder.Query, HubProtocolConstants.NegotiateVersionQuery);
        return builder.Uri;
    }

    /// <summary><c>ws(s)://.../hub?{existing query}&amp;id={connectionToken}&amp;access_token={token}</c>.</summary>
    internal static Uri BuildWebSocketUri(Uri url, string? connectionToken, string? accessToken)
    {
        var builder = new UriBuilder(url)
        {
            Scheme = url.Scheme switch
            {
                "https" or "wss" => "wss",
                _ => "ws",
            },
        };
        var query = builder.Query;
        if (connectionToken is not null)
        {
            query = AppendQuery(query, HubProtocolConstants.ConnectionIdQuery + "=" + Uri.EscapeDataString(connectionToken));
        }

        if (!string.IsNullOrEmpty(accessToken))
        {
            query = AppendQuery(query, HubProtocolConstants.AccessTokenQuery + "=" + Uri.EscapeDataString(accessToken));
        }

        builder.Query = query.TrimStart('?');
        return builder.Uri;
    }

    private static string AppendQuery(string query, string pair)
    {
        var existing = query.TrimStart('?');
        return existing.Length == 0 ? pair : existing + "&" + pair;
    }
}
