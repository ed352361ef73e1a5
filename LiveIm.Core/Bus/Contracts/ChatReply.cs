namespace LiveIm.Core.Bus.Contracts;

/// <summary>Reply to <see cref="ChatRequest"/>; also the hub result of <c>SendChat</c>.</summary>
/// <param name="Id">The event id of the delivered line; 0 when <paramref name="Status"/> is <see cref="Sampled"/>.</param>
/// <param name="Status">
/// <see cref="Ok"/>: admitted and published to the room. <see cref="Sampled"/>: the room is over its chat budget and
/// this line was not chosen; it was not published and nobody sees it (not an error: the client may show it to its
/// sender only, and should not retry).
/// </param>
public sealed record ChatReply(long Id, string Status)
{
    /// <summary>The line was admitted and published.</summary>
    public const string Ok = "ok";

    /// <summary>The line was sampled away by the room's chat budget: no id, not published.</summary>
    public const string Sampled = "sampled";
}
