using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace LiveIm.SignalR;

/// <summary>Where and how a <see cref="HubConnection"/> connects. Immutable once the connection is created.</summary>
public sealed class HubConnectionOptions
{
    /// <summary>The hub endpoint, <c>http(s)://host:port/hubs/room</c>. The WebSocket URL is derived (<c>ws</c>/<c>wss</c>).</summary>
    public required Uri Url { get; init; }

    /// <summary>
    /// Called once per start. The token goes to negotiate as <c>Authorization: Bearer</c> and to the WebSocket request
    /// as the <c>access_token</c> query parameter (browsers cannot set headers on WebSockets, so servers read it there).
    /// </summary>
    public Func<string?>? AccessTokenProvider { get; init; }

    /// <summary>Open the WebSocket directly, without <c>POST /negotiate</c>. The server must offer the WebSockets transport.</summary>
    public bool SkipNegotiation { get; init; }

    /// <summary>
    /// Upper bound for the whole start: negotiate, WebSocket upgrade and the handshake response.
    /// A server that accepts TCP but never answers would otherwise hold the start forever.
    /// </summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A <c>{"type":6}</c> ping is sent when nothing else was sent for this long, so the server's client timeout
    /// (30 s by default in ASP.NET Core) never fires on an idle but healthy client. Zero or negative disables pings.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The connection is closed with a <see cref="HubConnectionClosedException"/> when no frame arrived from the server
    /// for this long (the server pings every 15 s by default). Zero, negative or infinite disables the check.
    /// </summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Extra HTTP headers for negotiate and the WebSocket upgrade request.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Serializer for arguments and results. Default: <see cref="JsonSerializerDefaults.Web"/> (camelCase), like the server's JSON protocol.</summary>
    public JsonSerializerOptions? SerializerOptions { get; init; }

    /// <summary>Logging; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Initial size of the receive buffer, rented from the shared pool only while bytes are arriving (an idle connection
    /// holds none). It grows for a larger record, up to <see cref="MaximumReceiveMessageSize"/>.
    /// </summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;

    /// <summary>
    /// Largest record (one JSON message) accepted from the server; a larger one closes the connection with an error
    /// instead of growing the buffer without bound. 4 MB is far above any LiveIm message.
    /// </summary>
    public int MaximumReceiveMessageSize { get; init; } = 4 * 1024 * 1024;
}
