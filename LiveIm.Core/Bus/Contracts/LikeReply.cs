namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="LikeRequest"/>; also the hub result of <c>SendLike</c>.</summary>
public sealed record LikeReply(long Id, string Status);
