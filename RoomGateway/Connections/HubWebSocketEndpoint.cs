using System.Buffers.Text;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using LiveIm.RoomGateway.Hubs;
using LiveIm.RoomGateway.Limits;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomGateway.Connections;

/// <summary>
/// The hub's HTTP side for WebSockets, in front of <c>MapHub</c>: answers the negotiate request (offering WebSockets
/// only) and runs every WebSocket request on the hub path as a <see cref="HubWebSocketConnection"/>, straight into
/// SignalR's <see cref="HubConnectionHandler{THub}"/> (the same hub, protocols, filters and lifetime manager as
/// <c>MapHub</c>'s). Anything else on the hub path goes on to <c>MapHub</c>, which answers it as SignalR does.
/// </summary>
/// <remarks>
/// <para>
/// Why not <c>MapHub</c>'s own WebSocket transport: <c>Microsoft.AspNetCore.Http.Connections</c> serves every
/// transport (long polling, server-sent events, reconnects to a negotiated connection), and for that it keeps, per
/// connection, a connection object with two more pipes between the WebSocket and the hub, a send loop and a receive
/// loop, a registry entry, tokens and cancellation sources: about 3 KB of the ~22 KB an idle connection costs the
/// stock hub (docs/performance.md, "Memory per connection"), for features a WebSocket-only gateway does not use. Here
/// the hub reads from one pipe that the socket fills and writes straight to the socket.
/// </para>
/// <para>
/// Negotiate (the SignalR transport protocol's <c>POST …/negotiate</c>, versions 0 and 1) creates nothing on the
/// gateway: its connection id and token are fresh random strings that the WebSocket request then carries as
/// <c>id</c>, and the gateway ignores it (a client that skips negotiation sends none); every connection gets its own
/// new id. A client can therefore never name, or take over, another connection.
/// </para>
/// </remarks>
internal sealed class HubWebSocketEndpoint
{
    private readonly RequestDelegate _next;
    private readonly PathString _hubPath;
    private readonly PathString _negotiatePath;
    private readonly HubConnectionHandler<RoomHub> _hub;
    private readonly HubConnectionHandler<RoomHub> _anonymousHub;
    private readonly ConnectionHeartbeat _heartbeat;
    private readonly PipeOptions _inputOptions;

    public HubWebSocketEndpoint(RequestDelegate next, IServiceProvider services, ConnectionHeartbeat heartbeat, LimitsOptions limits)
    {
        _next = next;
        _hubPath = new PathString(GatewaySetup.HubPath);
        _negotiatePath = _hubPath.Add("/negotiate");
        _hub = ActivatorUtilities.GetServiceOrCreateInstance<HubConnectionHandler<RoomHub>>(services);
        var configured = services.GetRequiredService<IOptions<HubOptions>>().Value;
        _anonymousHub = new HubConnectionHandler<RoomHub>(
            services.GetRequiredService<HubLifetimeManager<RoomHub>>(),
            services.GetRequiredService<IHubProtocolResolver>(),
            Options.Create(AnonymousOptions(new HubOptions(), configured, limits)),
            Options.Create(AnonymousOptions(new HubOptions<RoomHub>(), configured, limits)),
            services.GetRequiredService<ILoggerFactory>(),
            services.GetRequiredService<IUserIdProvider>(),
            services.GetRequiredService<IServiceScopeFactory>());
        _heartbeat = heartbeat;

        // SignalR's defaults for a connection's input (TransportMaxBufferSize 64 KB): the socket is not read further
        // while the hub has that much unread; the hub refuses a message over Limits:MaxMessageBytes anyway.
        _inputOptions = new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.Equals(_hubPath, StringComparison.OrdinalIgnoreCase) && context.WebSockets.IsWebSocketRequest)
        {
            return RunAsync(context);
        }

        if (path.Equals(_negotiatePath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsPost(context.Request.Method))
        {
            return NegotiateAsync(context);
        }

        return _next(context);
    }

    /// <summary>A new connection id: 16 random bytes, base64url (22 characters), like SignalR's.</summary>
    internal static string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    private async Task RunAsync(HttpContext context)
    {
        var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new HubWebSocketConnection(context, socket, NewId(), _inputOptions);
        await connection.RunAsync(GatewaySetup.IsSignedIn(context.User) ? _hub : _anonymousHub, _heartbeat).ConfigureAwait(false);
    }

    /// <summary>
    /// The hub's options for anonymous connections, written into <paramref name="options"/>: the same as
    /// <paramref name="configured"/> (every public setting, the same filters), with
    /// an anonymous connection's invocation slots (<see cref="LimitsOptions.InvocationSlotsFor"/>). The handler takes some settings
    /// from its global options and some from its hub's, so both get them.
    /// </summary>
    /// <remarks>
    /// Why a second handler: SignalR sizes a connection's invocation semaphore from its handler's options, once, at
    /// connect; the slots cost a channel buffer per connection for its life (with the benchmark's 127 calls in flight
    /// for its publishers, ~470 bytes on every receiver). An anonymous viewer can only join, leave and watch.
    /// </remarks>
    internal static T AnonymousOptions<T>(T options, HubOptions configured, LimitsOptions limits)
        where T : HubOptions
    {
        foreach (var property in typeof(HubOptions).GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property is { CanRead: true, CanWrite: true } && property.GetIndexParameters().Length == 0)
            {
                property.SetValue(options, property.GetValue(configured));
            }
        }

        options.MaximumParallelInvocationsPerClient = limits.InvocationSlotsFor(signedIn: false);
        GatewaySetup.AddHubFilters(options);
        return options;
    }

    // The negotiate answer SignalR's clients expect (the transport protocol's NegotiateResponse), WebSockets only.
    private static async Task NegotiateAsync(HttpContext context)
    {
        var version = 0;
        if (context.Request.Query.TryGetValue("negotiateVersion", out var asked))
        {
            if (!int.TryParse(asked.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var requested))
            {
                await WriteAsync(context, writer => writer.WriteString("error", "invalid_argument: negotiateVersion must be a number")).ConfigureAwait(false);
                return;
            }

            version = Math.Min(requested, 1);
        }

        var id = NewId();
        await WriteAsync(context, writer =>
        {
            writer.WriteNumber("negotiateVersion", version);
            writer.WriteString("connectionId", id);
            if (version >= 1)
            {
                writer.WriteString("connectionToken", NewId());
            }

            writer.WriteStartArray("availableTransports");
            writer.WriteStartObject();
            writer.WriteString("transport", "WebSockets");
            writer.WriteStartArray("transferFormats");
            writer.WriteStringValue("Text");
            writer.WriteStringValue("Binary");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-cache, no-store";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.WrittenMemory).ConfigureAwait(false);
    }
}
