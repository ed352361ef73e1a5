namespace LiveIm.Client;

/// <summary>Result of <c>JoinRoom</c>.</summary>
public sealed record JoinResult(string RoomId, long Seq, bool Recovered, long Online, long ServerTime, string? GatewayId = null);

/// <summary>Result of <c>SendChat</c>: <c>ok</c>, or <c>sampled</c> (with <c>Id</c> 0) when the room was over its chat budget and the line was not delivered.</summary>
public sealed record ChatResult(long Id, string Status);

/// <summary>Result of <c>SendGift</c>: <c>ok</c> or <c>duplicate</c>.</summary>
public sealed record GiftResult(long Id, long Seq, string Status);

/// <summary>Result of <c>SendLike</c>.</summary>
public sealed record LikeResult(long Id, string Status);

/// <summary>Result of a moderation call (<c>Mute</c>, <c>Unmute</c>, <c>Ban</c>, <c>Unban</c>, <c>SetSlowMode</c>,
/// <c>DeleteMessage</c>): the id and reliable seq of the action's <c>system</c> event.</summary>
public sealed record ModerationResult(long Id, long Seq);

/// <summary>Result of <c>ReportStreamClock</c>: the room's stream clock after the report.</summary>
/// <param name="Epoch">The current stream epoch.</param>
/// <param name="OffsetMs">Server ms minus stream ms, as RoomService estimates it now.</param>
/// <param name="NewEpoch">True when this report began the epoch (the first report, or a discontinuity).</param>
public sealed record ClockResult(long Epoch, long OffsetMs, bool NewEpoch);
