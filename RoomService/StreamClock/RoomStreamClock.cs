using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.RoomService.Events;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.StreamClock;

/// <summary>
/// A room's stream clock: takes the reports (the streamer's <c>ReportStreamClock</c> through the bus, a media server's
/// <c>POST /api/rooms/{roomId}/stream-clock</c>), validates them and moves the clock in Redis in one script call
/// (clock_report.lua: window minimum, epochs). Events read it where they are stamped (lib/clock.lua), not here.
/// docs/stream-clock.md.
/// </summary>
public sealed class RoomStreamClock
{
    private readonly IRoomStore _store;
    private readonly TimeProvider _time;
    private readonly StreamClockOptions _options;

    public RoomStreamClock(IRoomStore store, TimeProvider time, IOptions<StreamClockOptions> options)
    {
        _store = store;
        _time = time;
        _options = options.Value;
    }

    /// <summary>
    /// A report from the bus (<c>liveim.svc.clock</c>): the gateway vouches for <c>from</c>; the role is checked again
    /// here, since a forged or buggy bus message must not move a room's clock. Only the room's streamer reports: the
    /// clock is the streamer's stream's, and a moderator has no stream.
    /// </summary>
    public Task<ClockReply> ReportFromBusAsync(ClockRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        RoomInteractions.ValidateSender(request.From);
        if (request.From.Role != Roles.Streamer)
        {
            throw new RoomException(ErrorCodes.Forbidden, "only the room's streamer may report its stream clock");
        }

        return ReportAsync(request.RoomId, request.StreamMs, cancellationToken);
    }

    /// <summary>
    /// One report: stream time <paramref name="streamMs"/> was current when it was sent. Refused with
    /// <c>invalid_argument</c> (the clock does not move) when negative or beyond <c>StreamClock:MaxStreamMs</c>.
    /// </summary>
    public async Task<ClockReply> ReportAsync(string roomId, long streamMs, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(roomId);
        if (streamMs < 0 || streamMs > _options.MaxStreamMs)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, StreamMsRule(_options.MaxStreamMs));
        }

        // The arrival time is this instance's clock. A report delayed on its way (gateway, bus) only looks later, which
        // the window's minimum already tolerates; instances' clocks must agree within the accuracy we want (NTP).
        var update = await _store.ReportClockAsync(roomId, streamMs, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return new ClockReply(update.Epoch, update.OffsetMs, update.NewEpoch);
    }

    /// <summary>The rule of a report's value, for <c>invalid_argument</c> messages.</summary>
    public static string StreamMsRule(long maxStreamMs) =>
        $"streamMs must be a whole number of stream milliseconds from 0 to {maxStreamMs}";
}
