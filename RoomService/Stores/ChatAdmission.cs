namespace LiveIm.RoomService.Stores;

/// <summary>The chat budget's decision on one line.</summary>
/// <param name="Admitted">True: publish it. False: sampled away, nobody sees it.</param>
/// <param name="Id">The line's room-unique event id when admitted; 0 when sampled (a sampled line takes no id).</param>
public readonly record struct ChatAdmission(bool Admitted, long Id);
