namespace LiveIm.Core.Events;

/// <summary>
/// Delivery lanes, each with its own promise. The wire form is the lower-case constant.
/// </summary>
public static class Lane
{
    /// <summary>Paid gifts: sequenced, persisted, recoverable, never dropped for a live connection.</summary>
    public const string Gift = "gift";

    /// <summary>Chat: best effort, carries an id but no contiguity promise.</summary>
    public const string Chat = "chat";

    /// <summary>Likes: counters, aggregated rather than delivered one by one.</summary>
    public const string Like = "like";

    /// <summary>Room control (online counts, moderation): the reliable lane, like gifts.</summary>
    public const string System = "system";

    /// <summary>True for the lanes that are sequenced and persisted (gift, system).</summary>
    public static bool IsReliable(string lane) => lane is Gift or System;
}
