using Microsoft.Extensions.Logging;

namespace LiveIm.Redis;

/// <summary>Log messages of <see cref="RedisClient"/>; event ids 1-99 belong to this client.</summary>
public sealed partial class RedisClient
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Connected to Redis at {EndPoint}")]
        public static partial void Connected(ILogger logger, string endPoint);

        [LoggerMessage(2, LogLevel.Warning, "Could not connect to Redis at {EndPoint}: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string endPoint, string reason, Exception exception);

        [LoggerMessage(3, LogLevel.Warning, "Lost the connection to Redis at {EndPoint}: {Reason}; reconnecting")]
        public static partial void ConnectionLost(ILogger logger, string endPoint, string reason, Exception exception);

        [LoggerMessage(4, LogLevel.Information, "Reconnected to Redis at {EndPoint} after {DowntimeMs} ms of downtime ({Attempts} attempts)")]
        public static partial void Reconnected(ILogger logger, string endPoint, long downtimeMs, int attempts);

        [LoggerMessage(5, LogLevel.Debug, "Reconnect attempt {Attempt} to Redis at {EndPoint} failed: {Reason}")]
        public static partial void ReconnectAttemptFailed(ILogger logger, string endPoint, int attempt, string reason);

        [LoggerMessage(6, LogLevel.Error, "Redis at {EndPoint} sent bytes that are not RESP2; the connection was dropped")]
        public static partial void ProtocolViolation(ILogger logger, string endPoint, Exception exception);

        [LoggerMessage(7, LogLevel.Debug, "{Command} got no reply from Redis at {EndPoint} within {TimeoutMs} ms")]
        public static partial void CommandTimedOut(ILogger logger, string command, string endPoint, long timeoutMs);

        [LoggerMessage(8, LogLevel.Error, "A StateChanged handler threw")]
        public static partial void StateChangedHandlerFailed(ILogger logger, Exception exception);

        [LoggerMessage(9, LogLevel.Debug, "Redis client for {EndPoint} disposed")]
        public static partial void Disposed(ILogger logger, string endPoint);
    }
}
