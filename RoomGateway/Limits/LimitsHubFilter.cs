using LiveIm.Core.Errors;
using LiveIm.RoomGateway.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// The per-call limits of docs/flow-control.md as a hub filter: calls in flight per connection, the connection's
/// rate per <see cref="CallKind"/>, the gateway's join admission, and the <c>flood</c> close of a connection that
/// keeps calling after <c>rate_limited</c>. A refused call costs no bus message.
/// </summary>
/// <remarks>
/// Registered after <c>RoomErrorFilter</c>, so it runs inside it: its refusals are <see cref="RoomException"/>s that
/// the error filter turns into the client's <c>"rate_limited: ... retryAfterMs=n"</c>, like RoomService's.
/// <para>Calls in flight: SignalR runs at most <c>MaximumParallelInvocationsPerClient</c> calls of a connection at
/// once and, at that limit, stops reading the connection until one completes (so the client's pings and replies wait
/// too, and a client firing 100 calls waits for 100 round trips one after another). The gateway sets it to
/// <see cref="LimitsOptions.MaxPendingInvocations"/> + 1 (<see cref="LimitsOptions.AnonymousMaxPendingInvocations"/> + 1
/// for an anonymous connection) and this filter refuses a call beyond that limit at once: the spare slot is only ever held by a refusal, which
/// completes without waiting for anything, so SignalR never stops reading a connection for long. A client that does
/// not read its replies still meets backpressure (the refusals' completions fill its transport).</para>
/// </remarks>
public sealed partial class LimitsHubFilter : IHubFilter
{
    private readonly CallLimiter _limiter;
    private readonly RoomRegistry _registry;
    private readonly LimitsOptions _options;
    private readonly LimitsMetrics _metrics;
    private readonly ILogger<LimitsHubFilter> _logger;

    public LimitsHubFilter(CallLimiter limiter, RoomRegistry registry, LimitsOptions options, LimitsMetrics metrics, ILogger<LimitsHubFilter> logger)
    {
        _limiter = limiter;
        _registry = registry;
        _options = options;
        _metrics = metrics;
        _logger = logger;
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var kind = CallKinds.Of(invocationContext.HubMethodName);
        var admission = _limiter.TryBeginCall(context.ConnectionId, kind, context.ConnectionAborted, GatewaySetup.IsSignedIn(context.User));
        if (admission.Refusal is { } refusal)
        {
            if (admission.Flood)
            {
                CloseForFlooding(context);
            }

            throw refusal;
        }

        try
        {
            return await next(invocationContext);
        }
        finally
        {
            CallLimiter.EndCall(admission);
        }
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _limiter.Forget(context.Context.ConnectionId);
        return next(context, exception);
    }

    private void CloseForFlooding(HubCallerContext context)
    {
        _metrics.FloodClosed();
        LogFlood(context.ConnectionId, context.UserIdentifier);
        var error = $"{ErrorCodes.Flood}: more than {_options.FloodStrikes} calls refused with rate_limited within {_options.FloodWindowSeconds:0.###} s; " +
            "wait retryAfterMs after rate_limited, then reconnect";

        // The one close path (a close message, then the socket is aborted if the client does not take it in time).
        if (_registry.FindMember(context.ConnectionId) is { } member)
        {
            _ = member.CloseAsync(error, allowReconnect: true);
        }
        else
        {
            context.Abort();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Connection {ConnectionId} (user {UserId}) closed for flooding: it kept calling after rate_limited")]
    private partial void LogFlood(string connectionId, string? userId);
}
