using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Auth;

namespace LiveIm.RoomService.Auth;

/// <summary>
/// <c>POST /api/dev/token</c> with <c>{userId, name, role, room}</c> returns <c>{token}</c>. For local runs, tests and
/// load tests only: mapped only when <c>DevTokens:Enabled</c> is true (off unless configured; run.sh turns it on).
/// Production tokens come from the platform's own identity service, signed with the same key.
/// </summary>
public static class DevTokenEndpoint
{
    /// <summary>The request body.</summary>
    public sealed record DevTokenRequest(string? UserId, string? Name, string? Role, string? Room);

    /// <summary>Maps the endpoint.</summary>
    public static void MapDevTokens(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/dev/token", (DevTokenRequest? body, LiveImTokens tokens) =>
        {
            if (body is null || string.IsNullOrWhiteSpace(body.UserId) || body.UserId.Length > 128)
            {
                return Error("userId is required (1..128 characters)");
            }

            var role = body.Role ?? Roles.Viewer;
            if (!Roles.IsKnown(role))
            {
                return Error("role must be viewer, streamer or moderator");
            }

            if (Roles.IsRoomBound(role) && !RoomIds.IsValid(body.Room))
            {
                return Results.BadRequest(new { error = ErrorCodes.InvalidRoom, message = "streamer and moderator tokens need a valid room" });
            }

            if (body.Room is not null && !RoomIds.IsValid(body.Room))
            {
                return Results.BadRequest(new { error = ErrorCodes.InvalidRoom, message = "room id must match ^[A-Za-z0-9_-]{1,64}$" });
            }

            var name = string.IsNullOrWhiteSpace(body.Name) ? body.UserId : body.Name.Trim();
            if (name.Length > 64)
            {
                return Error("name is longer than 64 characters");
            }

            return Results.Ok(new { token = tokens.Issue(body.UserId, name, role, Roles.IsRoomBound(role) ? body.Room : null, TimeSpan.FromHours(12)) });
        });
    }

    private static IResult Error(string message) =>
        Results.BadRequest(new { error = ErrorCodes.InvalidArgument, message });
}
