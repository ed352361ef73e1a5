using LiveIm.Core.Errors;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Hubs;

/// <summary>Turns <see cref="RoomException"/> into the <see cref="HubException"/> a client sees: <c>"code: detail"</c>.</summary>
public sealed partial class RoomErrorFilter : IHubFilter
{
    private readonly ILogger<RoomErrorFilter> _logger;

    public RoomErrorFilter(ILogger<RoomErrorFilter> logger)
    {
        _logger = logger;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (RoomException ex)
        {
            throw new HubException(ex.ToClientMessage());
        }
        catch (OperationCanceledException) when (invocationContext.Context.ConnectionAborted.IsCancellationRequested)
        {
            throw new HubException($"{ErrorCodes.Unavailable}: connection closed");
        }
        catch (Exception ex) when (ex is not HubException)
        {
            LogUnexpected(ex, invocationContext.HubMethodName);
            throw new HubException($"{ErrorCodes.Unavailable}: internal error");
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Hub method {Method} failed unexpectedly")]
    private partial void LogUnexpected(Exception ex, string method);
}
