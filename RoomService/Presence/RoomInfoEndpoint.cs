using LiveIm.Core.Errors;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Http;
using LiveIm.Hosting.Presence;
using LiveIm.Core.Stores;
using LiveIm.RoomService.Stores;

namespace LiveIm.RoomService.Presence;

/// <summary>
/// <c>GET /api/rooms/{roomId}</c> → <c>{roomId, online, gateways, seq, live}</c> (docs/protocol.md, "Room info"):
/// the total of the live presence reports, how many gateways report members, the room's reliable seq, and whether
/// the room is live, meaning that at least one gateway reported members within the presence TTL (5 intervals, 10 s
/// by default). Public like the online count viewers see; read-only, two Redis calls in one pipeline flush. Errors
/// are <c>{error, message}</c>: 400 <c>invalid_room</c>, 503 <c>unavailable</c>.
/// </summary>
public static class RoomInfoEndpoint
{
    /// <summary>What the endpoint answers.</summary>
    /// <param name="RoomId">The room.</param>
    /// <param name="Online">Members over all gateways (sum of the live reports; up to one interval old).</param>
    /// <param name="Gateways">Gateways with a live report of at least one member.</param>
    /// <param name="Seq">The room's current reliable-lane seq (0 before its first gift or moderation event).</param>
    /// <param name="Live">True when some gateway reported members within the presence TTL.</param>
    public sealed record RoomInfo(string RoomId, long Online, int Gateways, long Seq, bool Live);

    /// <summary>Maps the endpoint.</summary>
    public static void MapRoomInfo(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/rooms/{roomId}", async (string roomId, IPresenceStore presence, IRoomStore store, TimeProvider time, CancellationToken ct) =>
        {
            if (!RoomIds.IsValid(roomId))
            {
                return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
            }

            try
            {
                var presenceTask = presence.ReadAsync(roomId, exceptGatewayId: null, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
                var seq = await store.CurrentSeqAsync(roomId, ct);
                var room = await presenceTask;
                return Results.Ok(new RoomInfo(roomId, room.Online, room.Gateways, seq, room.Gateways > 0));
            }
            catch (StoreUnavailableException)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the room store is unavailable; retry later");
            }
        });

    private static IResult Error(int status, string code, string message) => ApiError.Result(status, code, message);
}
