namespace LiveIm.LoadTest.Protocol;

/// <summary>The events of one frame, by lane (see <see cref="EventScanner.Count"/>).</summary>
public struct EventCounts
{
    /// <summary>Chat lines.</summary>
    public int Chat;

    /// <summary>Gifts.</summary>
    public int Gift;

    /// <summary>Like events.</summary>
    public int Like;

    /// <summary>System events and unknown lanes.</summary>
    public int Other;

    /// <summary>Gift events whose id could not be read (not ours, or not where expected).</summary>
    public int UnreadableGifts;

    /// <summary>All events.</summary>
    public readonly int Total => Chat + Gift + Like + Other;

    /// <summary>Counts one event by the first letter of its lane (<c>c</c>hat, <c>g</c>ift, <c>l</c>ike, anything else).</summary>
    public void Add(byte laneInitial)
    {
        switch (laneInitial)
        {
            case (byte)'c':
                Chat++;
                break;
            case (byte)'g':
                Gift++;
                break;
            case (byte)'l':
                Like++;
                break;
            default:
                Other++;
                break;
        }
    }
}
