namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="ChatRequest"/>; also the hub result of <c>SendChat</c>.</summary>
/// <param name="Id">The event id.</param>
/// <param name="Status"><c>ok</c> (later issues add <c>sampled</c>).</param>
public sealed record ChatReply(long Id, string Status);
