namespace LiveIm.RoomService.Stores;

/// <summary>Why a reliable append (a gift) was refused.</summary>
public enum AppendRefusal
{
    /// <summary>Appended (or a duplicate).</summary>
    None,

    /// <summary>The sender is banned from the room.</summary>
    Banned,

    /// <summary>The room's gift rate is exhausted.</summary>
    RoomRate,
}
