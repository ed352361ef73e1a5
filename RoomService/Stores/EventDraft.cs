using LiveIm.Core.Events;

namespace LiveIm.RoomService.Stores;

/// <summary>
/// An event before the store stamps it: its wire JSON around the fields the store decides (id, seq, and the stream
/// clock's streamTs/streamEpoch). The store writes <c>head + ,"id":N,"seq":S + openTail + clock fields</c>
/// (<see cref="RoomEventJson"/>), so the bytes persisted, replayed and published are the same.
/// </summary>
/// <param name="Head">The JSON before id (<see cref="RoomEventJson.Head"/>).</param>
/// <param name="OpenTail">The JSON after seq, without the closing clock fields (<see cref="RoomEventJson.OpenTail"/>).</param>
public sealed record EventDraft(byte[] Head, byte[] OpenTail)
{
    /// <summary>The draft of <paramref name="e"/>.</summary>
    public static EventDraft Of(RoomEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new EventDraft(RoomEventJson.Head(e.RoomId), RoomEventJson.OpenTail(e));
    }
}
