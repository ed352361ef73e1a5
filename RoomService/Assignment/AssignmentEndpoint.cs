using System.Globalization;
using LiveIm.Core.Errors;
using LiveIm.Core.Gateways;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Http;
using LiveIm.Core.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Assignment;

/// <summary>
/// <c>GET /api/gateways/assign?roomId=&lt;room&gt;</c>: which gateway a new client of the room should connect to,
/// 200 <c>{url, gatewayId}</c> (<c>url</c> is the gateway's base URL; the hub is at <c>/hubs/room</c> below it). The
/// room is optional (without it: the least-loaded gateway). <c>avoid=&lt;gatewayId&gt;</c> (up to
/// <see cref="AvoidList.MaxCount"/>, repeated) names gateways the client just failed to reach: they are passed over while any
/// other gateway is available (a crashed gateway's load report stays fresh for up to <c>Registry:TtlMs</c>, and
/// without this its viewers would be sent back to it until then); only this request is affected, so a client cannot
/// steer anybody else. Errors are <c>{error, message}</c>: 400 <c>invalid_room</c>, 400 <c>invalid_argument</c> (a
/// malformed <c>avoid</c>); 503 <c>unavailable</c> with <c>Retry-After</c> when no gateway is available (none
/// reported, all draining) or Redis is unreachable. Public: a client asks before it has connected anywhere.
/// </summary>
public static class AssignmentEndpoint
{
    /// <summary>The path.</summary>
    public const string Path = "/api/gateways/assign";

    /// <summary>The answer.</summary>
    public sealed record Assignment(string Url, string GatewayId);

    /// <summary>Maps the endpoint.</summary>
    public static void MapGatewayAssignment(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Path, async (HttpContext context, GatewayDirectory directory, AssignmentLedger ledger, IOptions<AssignmentOptions> options, CancellationToken ct) =>
        {
            string? roomId = null;
            if (context.Request.Query.TryGetValue("roomId", out var values))
            {
                roomId = values.Count == 1 ? values[0] : null;
                if (!RoomIds.IsValid(roomId))
                {
                    return Error(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "roomId must match ^[A-Za-z0-9_-]{1,64}$", null);
                }
            }

            var avoid = context.Request.Query["avoid"];
            if (avoid.Count > AvoidList.MaxCount || !avoid.All(AvoidList.IsValidId))
            {
                return Error(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidArgument, $"avoid takes at most {AvoidList.MaxCount} gateway ids, each 1..{AvoidList.MaxIdLength} characters", null);
            }

            var retry = options.Value.RetryAfterSeconds;
            try
            {
                var reportsTask = directory.FreshReportsAsync(ct);
                var membersTask = directory.RoomMembersAsync(roomId, ct);
                var reports = await reportsTask;
                var members = await membersTask;
                var candidates = reports
                    .Select(r => new GatewayCandidate(r, ledger.Pending(r), members.TryGetValue(r.Id, out var n) ? n : 0))
                    .ToList();
                // The gateways the client could not reach go last: chosen only when nothing else is available (the
                // client may have met a passing network fault; a gateway that is really gone fails it again).
                var chosen = avoid.Count == 0
                    ? AssignmentPolicy.Choose(candidates, options.Value)
                    : AssignmentPolicy.Choose(candidates.FindAll(c => !avoid.Contains(c.Report.Id)), options.Value)
                        ?? AssignmentPolicy.Choose(candidates, options.Value);
                if (chosen is null)
                {
                    var why = reports.Count == 0 ? "no gateway has reported" : $"all {reports.Count} gateways are draining";
                    return Error(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, $"no gateway available ({why}); retry later", retry);
                }

                ledger.Handed(chosen.Report);
                return Results.Json(new Assignment(chosen.Report.Url, chosen.Report.Id));
            }
            catch (StoreUnavailableException)
            {
                return Error(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the gateway registry (Redis) is unavailable; retry later", retry);
            }
        });

    private static IResult Error(HttpContext context, int status, string code, string message, int? retryAfterSeconds)
    {
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return ApiError.Result(status, code, message);
    }
}
