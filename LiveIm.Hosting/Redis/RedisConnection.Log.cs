using Microsoft.Extensions.Logging;

namespace LiveIm.Hosting.Redis;

public sealed partial class RedisConnection
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Redis client started for {EndPoints} (connected: {Connected})")]
    private partial void LogStarted(string endPoints, bool connected);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Redis client could not start (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private partial void LogConnectRetry(int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} failed ({FailureType}): {Reason}")]
    private partial void LogConnectionFailed(string endPoint, string failureType, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} restored")]
    private partial void LogConnectionRestored(string endPoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Redis did not answer within {TimeoutMs} ms; not ready until it does: {Reason}")]
    private partial void LogNotAnswering(int timeoutMs, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Redis answers again")]
    private partial void LogAnsweringAgain();
}
