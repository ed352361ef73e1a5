using LiveIm.Core.Errors;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Http;
using LiveIm.Hosting.Presence;
using LiveIm.Core.Stores;
using LiveIm.RoomService.Stores;
using LiveIm.RoomService.StreamClock;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Presence;

/// <summary>
/// <c>GET /api/rooms/{roomId}</c> → <c>{roomId, online, gateways, seq, live}</c> (docs/protocol.md, "Room info"):
/// the total of the live presence reports, how many gateways report members, the room's reliable seq, and whether
/// the room is live, meaning that at least one gateway reported members within the presence TTL (5 intervals, 10 s
/// by default), and the room's stream clock (<c>stream</c>: epoch and offset, null while no streamer reports one), so
/// that a player knows where the live edge is before any event carries a stamp. Public like the online count viewers
/// see; read-only, three Redis calls in one pipeline flush. Errors are <c>{error, message}</c>: 400
/// <c>invalid_room</c>, 503 <c>unavailable</c>.
/// </summary>
public static class RoomInfoEndpoint
{
    /// <summary>What the endpoint answers.</summary>
    /// <param name="RoomId">The room.</param>
    /// <param name="Online">Members over all gateways (sum of the live reports; up to one interval old).</param>
    /// <param name="Gateways">Gateways with a live report of at least one member.</param>
    /// <param name="Seq">The room's current reliable-lane seq (0 before its first gift or moderation event).</param>
    /// <param name="Live">True when some gateway reported members within the presence TTL.</param>
    /// <param name="Stream">The room's stream clock now, or null when it has none (never reported, or stale).</param>
    public sealed record RoomInfo(string RoomId, long Online, int Gateways, long Seq, bool Live, StreamNow? Stream);

    /// <summary>The stream clock as events are stamped now: stream ms = <paramref name="ServerTime"/> − <paramref name="OffsetMs"/> in <paramref name="Epoch"/>.</summary>
    /// <param name="Epoch">The current stream epoch (as events' <c>streamEpoch</c>).</param>
    /// <param name="OffsetMs">Server ms minus stream ms, the estimate every event is stamped with.</param>
    /// <param name="ServerTime">RoomService's clock at the answer (ms since the Unix epoch).</param>
    public sealed record StreamNow(long Epoch, long OffsetMs, long ServerTime);

    /// <summary>Maps the endpoint.</summary>
    public static void MapRoomInfo(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/api/rooms/{roomId}", async (
            string roomId, IPresenceStore presence, IRoomStore store, TimeProvider time, IOptions<StreamClockOptions> clockOptions, CancellationToken ct) =>
        {
            if (!RoomIds.IsValid(roomId))
            {
                return Error(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
            }

            try
            {
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                var presenceTask = presence.ReadAsync(roomId, exceptGatewayId: null, now, ct);
                var clockTask = store.ReadClockAsync(roomId, ct);
                var seq = await store.CurrentSeqAsync(roomId, ct);
                var room = await presenceTask;
                var clock = await clockTask;

                // The same staleness rule as stamping (lib/clock.lua): a clock without a report for StaleAfter stamps nothing.
                var stream = clock is not null && now - clock.LastArrivalMs <= (long)clockOptions.Value.StaleAfter.TotalMilliseconds
                    ? new StreamNow(clock.Epoch, clock.OffsetMs, now)
                    : null;
                return Results.Ok(new RoomInfo(roomId, room.Online, room.Gateways, seq, room.Gateways > 0, stream));
            }
            catch (StoreUnavailableException)
            {
                return Error(StatusCodes.Status503ServiceUnavailable, ErrorCodes.Unavailable, "the room store is unavailable; retry later");
            }
        });

    private static IResult Error(int status, string code, string message) => ApiError.Result(status, code, message);
}
