using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Core.Tests;

public sealed class SeqWindowTests
{
    [Fact]
    public void Each_seq_is_accepted_once()
    {
        var w = new SeqWindow();
        Assert.True(w.TryMark(1));
        Assert.True(w.TryMark(2));
        Assert.False(w.TryMark(1));
        Assert.False(w.TryMark(2));
        Assert.Equal(2, w.Highest);
    }

    [Fact]
    public void Out_of_order_arrivals_are_accepted_and_gaps_hold_the_contiguous_point()
    {
        var w = new SeqWindow();
        Assert.True(w.TryMark(3));
        Assert.True(w.TryMark(5));
        Assert.Equal(0, w.ContiguousFrom(0));
        Assert.True(w.TryMark(1));
        Assert.True(w.TryMark(2));
        Assert.Equal(3, w.ContiguousFrom(0));
        Assert.True(w.TryMark(4));
        Assert.Equal(5, w.ContiguousFrom(0));
        Assert.False(w.TryMark(4));
    }

    [Fact]
    public void The_floor_counts_as_received()
    {
        var w = new SeqWindow();
        Assert.Equal(10, w.ContiguousFrom(10));
        Assert.True(w.TryMark(11));
        Assert.True(w.TryMark(13));
        Assert.Equal(11, w.ContiguousFrom(10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public void Non_positive_seqs_are_refused(long seq) => Assert.False(new SeqWindow().TryMark(seq));

    [Fact]
    public void Seqs_older_than_the_window_are_refused_and_a_big_jump_forgets_the_old_bits()
    {
        var w = new SeqWindow();
        Assert.True(w.TryMark(1));
        Assert.True(w.TryMark(1 + SeqWindow.Size + 5));
        Assert.False(w.TryMark(1)); // too old to tell: dropped
        Assert.True(w.TryMark(1 + SeqWindow.Size)); // inside the window, never seen
        Assert.False(w.TryMark(1 + SeqWindow.Size));
    }

    [Fact]
    public void A_slot_reused_after_the_window_moved_is_not_mistaken_for_a_duplicate()
    {
        var w = new SeqWindow();
        for (long s = 1; s <= SeqWindow.Size; s++)
        {
            Assert.True(w.TryMark(s));
        }

        // seq Size+1 shares slot 1 % Size with seq 1 (already set): moving forward must clear it first.
        Assert.True(w.TryMark(SeqWindow.Size + 1));
        Assert.Equal(SeqWindow.Size + 1, w.ContiguousFrom(0));
    }
}
