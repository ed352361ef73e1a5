using Microsoft.Extensions.Logging;

namespace LiveIm.SignalR;

// Log messages, source-generated. Event ids: 1-9 start, 10-19 receive path, 20-29 close and keep-alive.
public sealed partial class HubConnection
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Starting hub connection to {Url}.")]
        public static partial void Starting(ILogger logger, Uri url);

        [LoggerMessage(2, LogLevel.Debug, "Negotiate redirected to {Url}.")]
        public static partial void NegotiateRedirected(ILogger logger, Uri url);

        [LoggerMessage(3, LogLevel.Debug, "Negotiated connection {ConnectionId}.")]
        public static partial void Negotiated(ILogger logger, string? connectionId);

        [LoggerMessage(4, LogLevel.Debug, "Connected to {Url} as {ConnectionId}.")]
        public static partial void Connected(ILogger logger, Uri url, string? connectionId);

        [LoggerMessage(5, LogLevel.Debug, "Starting the hub connection to {Url} failed.")]
        public static partial void StartFailed(ILogger logger, Uri url, Exception exception);

        [LoggerMessage(10, LogLevel.Error, "A handler for '{Method}' threw; the connection carries on.")]
        public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

        [LoggerMessage(11, LogLevel.Debug, "No handler for server invocation '{Target}'.")]
        public static partial void NoHandler(ILogger logger, string target);

        [LoggerMessage(12, LogLevel.Debug, "Completion for unknown or cancelled invocation {InvocationId} ignored.")]
        public static partial void UnknownCompletion(ILogger logger, long invocationId);

        [LoggerMessage(13, LogLevel.Debug, "Hub message of type {Type} ignored.")]
        public static partial void MessageIgnored(ILogger logger, int type);

        [LoggerMessage(14, LogLevel.Debug, "The receive loop ended with an error.")]
        public static partial void ReceiveFailed(ILogger logger, Exception exception);

        [LoggerMessage(20, LogLevel.Debug, "Server sent Close (error: {Error}, allowReconnect: {AllowReconnect}).")]
        public static partial void CloseReceived(ILogger logger, string? error, bool? allowReconnect);

        [LoggerMessage(21, LogLevel.Debug, "Connection {ConnectionId} closed (reason: {Reason}).")]
        public static partial void Closed(ILogger logger, string? connectionId, string? reason);

        [LoggerMessage(22, LogLevel.Error, "A Closed handler threw.")]
        public static partial void ClosedHandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(23, LogLevel.Debug, "The close handshake did not finish; the socket was aborted.")]
        public static partial void StopAborted(ILogger logger, Exception exception);

        [LoggerMessage(24, LogLevel.Warning, "No message from the server for {Seconds} s; closing the connection.")]
        public static partial void ServerTimeout(ILogger logger, double seconds);

        [LoggerMessage(25, LogLevel.Debug, "Sending a keep-alive ping failed.")]
        public static partial void PingFailed(ILogger logger, Exception exception);
    }
}
