namespace LiveIm.RoomService.Stores;

/// <summary>Why the room refused a chat line (as opposed to sampling it away, which is not an error).</summary>
public enum ChatRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The sender is banned from the room.</summary>
    Banned,

    /// <summary>The sender is muted in the room.</summary>
    Muted,

    /// <summary>Slow mode: the sender's last line was too recent.</summary>
    SlowMode,
}
