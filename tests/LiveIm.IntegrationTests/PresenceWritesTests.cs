using LiveIm.RoomGateway.Presence;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <see cref="PresenceWrites"/> on a clock the test moves: a room's count is written at most once per window, by the
/// first join of the window or at its end, and the reporter is woken when a room is due or first marked in a window.
/// </summary>
public sealed class PresenceWritesTests
{
    private const int Window = PresenceWrites.WriteEveryMs;

    private readonly ManualTimeProvider _clock = new();
    private readonly PresenceWrites _writes;

    public PresenceWritesTests()
    {
        _writes = new PresenceWrites(_clock);
    }

    private List<string> TakeDue() => _writes.TakeDue(out _);

    [Fact]
    public void The_first_join_of_a_window_carries_the_count_and_the_others_are_written_at_its_end()
    {
        Assert.True(_writes.TryClaimJoinWrite("r"));
        Assert.Empty(TakeDue());
        _clock.Advance(10);
        Assert.False(_writes.TryClaimJoinWrite("r"));
        Assert.False(_writes.TryClaimJoinWrite("r"));
        Assert.Empty(_writes.TakeDue(out var wait));
        Assert.Equal(Window - 10, wait);

        _clock.Advance(Window - 10);
        Assert.Equal(new[] { "r" }, TakeDue()); // once, for both joins
        Assert.Empty(TakeDue());

        // That write opened a window of its own: a join within it is written at its end, the next one after it is
        // carried by the join again.
        Assert.False(_writes.TryClaimJoinWrite("r"));
        _clock.Advance(Window);
        Assert.Equal(new[] { "r" }, TakeDue());
        _clock.Advance(Window);
        Assert.True(_writes.TryClaimJoinWrite("r"));
        Assert.Empty(TakeDue());
    }

    [Fact]
    public async Task A_leave_after_a_quiet_window_is_due_at_once_and_wakes_the_reporter()
    {
        Assert.True(_writes.TryClaimJoinWrite("r"));
        _clock.Advance(Window);
        var woken = _writes.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        _writes.Changed("r");
        Assert.True(await woken.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(new[] { "r" }, TakeDue());

        // A leave right after that write waits for the window: it wakes the reporter once, to learn when the window
        // ends; further changes in the window do not wake it again.
        _writes.Changed("r");
        Assert.True(await _writes.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Empty(_writes.TakeDue(out var wait));
        Assert.Equal(Window, wait);
        _writes.Changed("r");
        Assert.False(_writes.TryClaimJoinWrite("r"));
        Assert.False(await _writes.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None));
        _clock.Advance(Window);
        Assert.Equal(new[] { "r" }, TakeDue());
    }

    [Fact]
    public void Rooms_are_independent_and_forgetting_old_write_times_changes_no_decision()
    {
        Assert.True(_writes.TryClaimJoinWrite("a"));
        Assert.True(_writes.TryClaimJoinWrite("b"));
        Assert.False(_writes.TryClaimJoinWrite("a"));
        _clock.Advance(Window);
        _writes.ForgetOld();
        Assert.Equal(new[] { "a" }, TakeDue());
        Assert.True(_writes.TryClaimJoinWrite("b"));
    }
}
