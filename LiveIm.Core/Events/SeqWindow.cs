namespace LiveIm.Core.Events;

/// <summary>
/// Remembers which reliable-lane seqs a room has already delivered, so that a gift that reaches the gateway twice
/// (a republish after a failed acknowledgement, a repair read that overlaps live traffic) is written once.
/// Seqs may arrive out of order (two RoomService instances sequencing one room race to the bus), so this is a
/// sliding bitmap over the last <see cref="Size"/> seqs, not a single high-water mark. Not thread-safe: the room's
/// receive loop owns it.
/// </summary>
public sealed class SeqWindow
{
    /// <summary>How far behind the highest seq a late arrival is still recognised. 1,024 covers minutes of a gift storm.</summary>
    public const int Size = 1024;

    private readonly ulong[] _bits = new ulong[Size / 64];

    /// <summary>The highest seq marked so far (0 before any).</summary>
    public long Highest { get; private set; }

    /// <summary>Marks <paramref name="seq"/>; false when it was seen before or is too old to tell (then it is dropped).</summary>
    public bool TryMark(long seq)
    {
        if (seq <= 0)
        {
            return false;
        }

        if (seq > Highest)
        {
            var shift = seq - Highest;
            if (shift >= Size)
            {
                Array.Clear(_bits);
            }
            else
            {
                for (var s = Highest + 1; s <= seq; s++)
                {
                    Clear(s);
                }
            }

            Highest = seq;
            Set(seq);
            return true;
        }

        if (seq <= Highest - Size)
        {
            return false;
        }

        if (IsSet(seq))
        {
            return false;
        }

        Set(seq);
        return true;
    }

    /// <summary>
    /// The highest seq up to which nothing after <paramref name="floor"/> is missing (within the window): where a
    /// repair read must start so that it fetches every gap, not just what follows the newest arrival.
    /// </summary>
    public long ContiguousFrom(long floor)
    {
        var start = Math.Max(floor + 1, Highest - Size + 1);
        for (var s = start; s <= Highest; s++)
        {
            if (!IsSet(s))
            {
                return s - 1;
            }
        }

        return Math.Max(floor, Highest);
    }

    private static (int Word, ulong Mask) Slot(long seq)
    {
        var index = (int)(seq % Size);
        return (index >> 6, 1UL << (index & 63));
    }

    private void Set(long seq)
    {
        var (word, mask) = Slot(seq);
        _bits[word] |= mask;
    }

    private void Clear(long seq)
    {
        var (word, mask) = Slot(seq);
        _bits[word] &= ~mask;
    }

    private bool IsSet(long seq)
    {
        var (word, mask) = Slot(seq);
        return (_bits[word] & mask) != 0;
    }
}
