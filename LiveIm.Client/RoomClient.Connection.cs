using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text.Json;
using LiveIm.Core.Serialization;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LiveIm.Client;

/// <summary>How a <see cref="HubConnection"/> of the official client is built, started and its failures translated.</summary>
public sealed partial class RoomClient
{
    // The text the official client puts before the server's close-message error (HubConnection's receive loop); what
    // follows is the gateway's "code: detail".
    private const string CloseErrorPrefix = "The server closed the connection with the following error: ";

    private HubConnection Create(Uri gateway)
    {
        var permission = new ReconnectPermission();
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(gateway, "/hubs/room"), HttpTransportType.WebSockets, http =>
            {
                http.SkipNegotiation = _options.SkipNegotiation;
                if (_options.AccessToken is { } token)
                {
                    http.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }

                // Both only to see a refusal's status and Retry-After (the official client reports neither):
                // negotiate's through the HTTP handler, the upgrade's through a WebSocket we connect ourselves.
                http.HttpMessageHandlerFactory = inner => new RefusalHandler(inner);
                http.WebSocketFactory = ConnectWebSocketAsync;
            })
            // The official client decides whether the server allowed a reconnect (a close message's allowReconnect);
            // the permission only records its answer. Where to reconnect is ours (RoomClient.Reconnect.cs).
            .WithAutomaticReconnect(permission);
        if (_options.Protocol == RoomProtocol.MessagePack)
        {
            // The gateway's MessagePack carries the JSON data model (same camelCase keys): read results and events
            // through the same JSON contract as the JSON protocol does.
            builder.AddMessagePackProtocol(o => o.SerializerOptions = JsonShapedResolver.Options(new JsonHubProtocolOptions().PayloadSerializerOptions));
        }

        if (_options.LoggerFactory is { } loggerFactory)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        var connection = builder.Build();
        connection.On<JsonElement>("events", OnEvents);
        connection.On<JsonElement>("reconnect", OnReconnect);
        connection.Closed += ex => OnConnectionClosedAsync(connection, permission, ex);
        return connection;
    }

    private static async Task StartAsync(HubConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw ConnectFailure(ex);
        }
    }

    // Negotiate failures surface as they are; transport failures after a negotiate are wrapped (AggregateException of
    // one failure per transport tried): the refusal we raised ourselves is looked for inside.
    private static RoomConnectException ConnectFailure(Exception ex)
    {
        for (var e = (Exception?)ex; e is not null; e = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e.InnerException)
        {
            if (e is RoomConnectException refused)
            {
                return refused;
            }

            if (e is HttpRequestException { StatusCode: { } status })
            {
                return new RoomConnectException($"the gateway answered HTTP {(int)status}: {e.Message}", (int)status, null, ex);
            }
        }

        return new RoomConnectException($"could not connect: {ex.Message}", null, null, ex);
    }

    // What the official client's default WebSocket factory does for us (HTTP/1.1, an access token as a bearer header),
    // plus CollectHttpResponseDetails, so a refused upgrade can say its status and Retry-After.
    private static async ValueTask<WebSocket> ConnectWebSocketAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (context.Options.AccessTokenProvider is { } provider && await provider().ConfigureAwait(false) is { Length: > 0 } token)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(context.Uri, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode != 0)
        {
            var status = (int)socket.HttpStatusCode;
            var retryAfter = socket.HttpResponseHeaders is { } headers && headers.TryGetValue("Retry-After", out var values)
                ? ParseRetryAfter(values.FirstOrDefault()) : null;
            socket.Dispose();
            throw new RoomConnectException($"the gateway refused the connection with HTTP {status}", status, retryAfter, ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static TimeSpan? ParseRetryAfter(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds) : null;

    /// <summary>The gateway's close-message error inside the official client's exception, or null.</summary>
    private static string? ServerCloseError(Exception? ex) =>
        ex is HubException && ex.Message.StartsWith(CloseErrorPrefix, StringComparison.Ordinal) ? ex.Message[CloseErrorPrefix.Length..] : null;

    /// <summary>What <see cref="Closed"/> hands out for the official client's close reason.</summary>
    private static Exception? Translate(Exception? reason) =>
        ServerCloseError(reason) is { } error ? new RoomClosedException(error, reason) : reason;

    /// <summary>Turns negotiate's refusal into a <see cref="RoomConnectException"/> with its status and Retry-After.</summary>
    private sealed class RefusalHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var status = (int)response.StatusCode;
            TimeSpan? retryAfter = response.Headers.RetryAfter is RetryConditionHeaderValue { Delta: { } delta } ? delta : null;
            response.Dispose();
            throw new RoomConnectException($"the gateway refused negotiate with HTTP {status}", status, retryAfter);
        }
    }
}
