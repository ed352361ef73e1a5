using LiveIm.Hosting.Auth;
using LiveIm.Hosting.Admin;
using LiveIm.RoomGateway.Rooms;

namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// <c>POST /admin/drain</c> with <c>Authorization: Bearer &lt;Admin:Token&gt;</c>: starts the drain and answers at once,
/// 202 <c>{gatewayId, draining: true, connections, spreadSeconds, deadlineSeconds}</c> (again on a second call; the
/// drain runs once). Without the token: 401 <c>{error: "unauthorized", message}</c>.
/// </summary>
public static class DrainEndpoint
{
    /// <summary>The path.</summary>
    public const string Path = "/admin/drain";

    /// <summary>What the endpoint answers.</summary>
    public sealed record DrainView(string GatewayId, bool Draining, int Connections, double SpreadSeconds, double DeadlineSeconds);

    /// <summary>Maps the endpoint.</summary>
    public static void MapDrainAdmin(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(Path, (GatewayDrain drain, GatewayIdentity gateway, RoomRegistry registry, DrainOptions options) =>
        {
            var connections = registry.ConnectionCount;
            _ = drain.DrainAsync("admin");
            return Results.Json(
                new DrainView(gateway.Id, true, connections, options.SpreadSeconds, options.DeadlineSeconds),
                statusCode: StatusCodes.Status202Accepted);
        }).AddEndpointFilter<BearerSecretFilter<AdminSettings>>();
}
