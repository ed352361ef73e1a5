using System.Globalization;
using LiveIm.Core.Errors;

namespace LiveIm.RoomGateway.Limits;

/// <summary>
/// Enforces the connection caps at the door, before SignalR, authentication or token validation spend anything: a
/// WebSocket request on the hub path is counted (<see cref="ConnectionAdmission"/>) while it runs, and refused with
/// HTTP 503 (gateway full) or 429 (too many from this IP) otherwise; a negotiate request (any other request under the
/// hub path) is refused the same way but not counted: it is short. A refusal carries <c>Retry-After</c> (seconds) and the body
/// <c>rate_limited: &lt;why&gt; retryAfterMs=&lt;n&gt;</c> (text/plain), the same contract as a refused call.
/// </summary>
/// <remarks>
/// The address is <see cref="ConnectionInfo.RemoteIpAddress"/>. Behind a reverse proxy or load balancer that is the
/// proxy's address: configure ASP.NET Core's ForwardedHeaders middleware with the proxy as a known proxy (before this
/// middleware), so that the client's address comes from <c>X-Forwarded-For</c>. The gateway never trusts that header
/// by itself: any client could send one.
/// </remarks>
public sealed class ConnectionCapMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ConnectionAdmission _admission;
    private readonly LimitsOptions _options;
    private readonly LimitsMetrics _metrics;
    private readonly PathString _hubPath;

    public ConnectionCapMiddleware(RequestDelegate next, ConnectionAdmission admission, LimitsOptions options, LimitsMetrics metrics)
    {
        _next = next;
        _admission = admission;
        _options = options;
        _metrics = metrics;
        _hubPath = new PathString(GatewaySetup.HubPath);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        // Anything under the hub path (routing also takes "/hubs/room/" for the hub): a WebSocket request is a
        // connection and is counted; anything else there (negotiate) is only checked.
        if (!context.Request.Path.StartsWithSegments(_hubPath, StringComparison.OrdinalIgnoreCase))
        {
            await _next(context);
            return;
        }

        var key = ConnectionAdmission.KeyOf(context.Connection.RemoteIpAddress);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            if (_admission.WouldRefuse(key) is { } early)
            {
                await RefuseAsync(context, early);
                return;
            }

            await _next(context);
            return;
        }

        if (_admission.TryEnter(key) is { } refusal)
        {
            await RefuseAsync(context, refusal);
            return;
        }

        try
        {
            await _next(context);
        }
        finally
        {
            _admission.Exit(key);
        }
    }

    private Task RefuseAsync(HttpContext context, ConnectionAdmission.Refusal refusal)
    {
        var full = refusal == ConnectionAdmission.Refusal.GatewayFull;
        _metrics.Refused(full ? LimitsMetrics.GatewayFull : LimitsMetrics.PerIp);
        _metrics.RateLimited(full ? LimitsMetrics.Connection : LimitsMetrics.Ip);

        // Jittered so that the clients refused in one storm do not all come back in the same second.
        var retryAfterMs = _options.ConnectRetryAfterMs + Random.Shared.NextInt64(_options.ConnectRetryAfterMs + 1L);
        var why = full
            ? $"gateway full ({_options.MaxConnections} connections); try again or another gateway"
            : $"too many connections from this address (limit {_options.MaxConnectionsPerIp})";
        context.Response.StatusCode = full ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = ((retryAfterMs + 999) / 1000).ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync($"{ErrorCodes.RateLimited}: {why} retryAfterMs={retryAfterMs}");
    }
}
