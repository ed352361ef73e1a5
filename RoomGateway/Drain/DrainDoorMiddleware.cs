using System.Globalization;
using LiveIm.Core.Errors;

namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// Refuses every request under the hub path (negotiate and the WebSocket upgrade) while the gateway drains, with HTTP
/// 503, <c>Retry-After</c> and the text body <c>unavailable: draining; ... retryAfterMs=&lt;n&gt;</c>: the same shape as
/// the connection caps' refusals (<see cref="Limits.ConnectionCapMiddleware"/>, which runs right after this one).
/// </summary>
public sealed class DrainDoorMiddleware
{
    private readonly RequestDelegate _next;
    private readonly GatewayDrain _drain;
    private readonly DrainOptions _options;
    private readonly DrainMetrics _metrics;
    private readonly PathString _hubPath = new(GatewaySetup.HubPath);

    public DrainDoorMiddleware(RequestDelegate next, GatewayDrain drain, DrainOptions options, DrainMetrics metrics)
    {
        _next = next;
        _drain = drain;
        _options = options;
        _metrics = metrics;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!_drain.IsDraining || !context.Request.Path.StartsWithSegments(_hubPath, StringComparison.OrdinalIgnoreCase))
        {
            return _next(context);
        }

        _metrics.Refused();
        var retryAfterMs = _options.RetryAfterSeconds * 1000L;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = _options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(
            $"{ErrorCodes.Unavailable}: draining; this gateway is leaving service, ask for another one (GET /api/gateways/assign) retryAfterMs={retryAfterMs}");
    }
}
