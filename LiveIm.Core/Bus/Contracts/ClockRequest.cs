using LiveIm.Core.Events;

namespace LiveIm.Core.Bus.Contracts;

/// <summary>Gateway → RoomService on <see cref="Subjects.Clock"/>: one stream clock report.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="From">The reporter, with the role as it applies in the room (RoomService checks it is the streamer).</param>
/// <param name="StreamMs">The stream time (ms on the stream's own timeline) current when the report was sent.</param>
public sealed record ClockRequest(string RoomId, EventSender From, long StreamMs);
