namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="GiftRequest"/>; also the hub result of <c>SendGift</c>.</summary>
/// <param name="Id">The event id.</param>
/// <param name="Seq">The reliable-lane sequence number.</param>
/// <param name="Status"><c>ok</c> the first time, <c>duplicate</c> for a retry of the same client message id.</param>
public sealed record GiftReply(long Id, long Seq, string Status);
