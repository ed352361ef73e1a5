namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="ModerateRequest"/>; also the hub result of the moderation methods.</summary>
/// <param name="Id">The moderation event's id.</param>
/// <param name="Seq">Its reliable-lane seq (the event is persisted and recoverable with lastSeq).</param>
public sealed record ModerateReply(long Id, long Seq);
