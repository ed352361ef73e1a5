namespace LiveIm.Core.Bus.Contracts;

/// <summary>RoomService's answer to a stream clock report: the room's clock after it.</summary>
/// <param name="Epoch">The stream epoch now current (a new one when the report was a discontinuity).</param>
/// <param name="OffsetMs">The estimated offset: server ms minus stream ms; an event stamped at server time t gets
/// <c>streamTs = t - OffsetMs</c>.</param>
/// <param name="NewEpoch">True when this report started <see cref="Epoch"/> (first report, or a discontinuity).</param>
public sealed record ClockReply(long Epoch, long OffsetMs, bool NewEpoch);
