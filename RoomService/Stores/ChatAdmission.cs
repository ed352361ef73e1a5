namespace LiveIm.RoomService.Stores;

/// <summary>The room's decision on one chat line: moderation state first, then the chat budget.</summary>
/// <param name="Admitted">True: publish it. False: sampled away or refused, nobody sees it.</param>
/// <param name="Id">The line's room-unique event id when admitted; 0 otherwise (only admitted lines take an id).</param>
/// <param name="Refusal">Why a line was refused (<see cref="ChatRefusal.None"/> when admitted or merely sampled).</param>
/// <param name="Detail">Muted: the ms time the mute ends. Slow mode: ms until the sender may chat again.</param>
/// <param name="Json">Admitted: the line's wire JSON, stamped with the stream clock (what is published and replayed).</param>
public readonly record struct ChatAdmission(bool Admitted, long Id, ChatRefusal Refusal = ChatRefusal.None, long Detail = 0, byte[]? Json = null);
