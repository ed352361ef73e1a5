using Microsoft.Extensions.Logging;

namespace LiveIm.Nats;

/// <summary>Log messages of the NATS client, event ids 1-99.</summary>
public sealed partial class NatsConnection
{
    internal static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Connected to NATS server {Url} (server id {ServerId}, version {Version}, max payload {MaxPayload} bytes)")]
        public static partial void Connected(ILogger logger, string url, string? serverId, string? version, long maxPayload);

        [LoggerMessage(2, LogLevel.Warning, "Disconnected from NATS server {Url}: {Reason}; reconnecting")]
        public static partial void Disconnected(ILogger logger, Exception error, string url, string reason);

        [LoggerMessage(3, LogLevel.Information, "Reconnected to NATS server {Url} after {DowntimeMs} ms of downtime")]
        public static partial void Reconnected(ILogger logger, string url, long downtimeMs);

        [LoggerMessage(4, LogLevel.Debug, "Connection attempt {Attempt} to NATS server {Url} failed: {Reason}")]
        public static partial void ConnectAttemptFailed(ILogger logger, string url, int attempt, string reason);

        [LoggerMessage(5, LogLevel.Error, "Could not connect to NATS: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string reason);

        [LoggerMessage(6, LogLevel.Error, "NATS server {Url} sent -ERR '{Error}'")]
        public static partial void ServerError(ILogger logger, string url, string error);

        [LoggerMessage(7, LogLevel.Warning, "NATS server {Url} did not answer {PingsOut} PINGs; treating the connection as stale")]
        public static partial void StaleConnection(ILogger logger, string url, int pingsOut);

        [LoggerMessage(8, LogLevel.Error, "Handler of NATS subscription {Sid} on '{Subject}' threw; the subscription continues")]
        public static partial void HandlerFailed(ILogger logger, Exception error, long sid, string subject);

        [LoggerMessage(9, LogLevel.Warning, "NATS subscription {Sid} on '{Subject}' is a slow consumer: {Dropped} messages dropped so far")]
        public static partial void SlowConsumer(ILogger logger, long sid, string subject, long dropped);

        [LoggerMessage(10, LogLevel.Information, "Discovered NATS server {Url} from INFO connect_urls")]
        public static partial void ServerDiscovered(ILogger logger, string url);

        [LoggerMessage(11, LogLevel.Error, "A NATS StateChanged listener threw on the transition to {State}")]
        public static partial void StateListenerFailed(ILogger logger, Exception error, NatsConnectionState state);

        [LoggerMessage(12, LogLevel.Warning, "{Count} NATS subscription handlers were still running 5 s after dispose")]
        public static partial void SubscriptionsDidNotDrain(ILogger logger, int count);

        [LoggerMessage(13, LogLevel.Information, "NATS connection closed")]
        public static partial void Closed(ILogger logger);
    }
}
