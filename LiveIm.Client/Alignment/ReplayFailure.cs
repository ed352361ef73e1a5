namespace LiveIm.Client.Alignment;

/// <summary>A replay fetch that failed (threw, faulted or returned null): which window, and why.</summary>
/// <param name="Epoch">The epoch asked for.</param>
/// <param name="FromMs">Start of the window, inclusive.</param>
/// <param name="ToMs">End of the window, inclusive (<see cref="long.MaxValue"/>: to the end of the epoch).</param>
/// <param name="Error">What the replay source threw.</param>
public sealed record ReplayFailure(long Epoch, long FromMs, long ToMs, Exception Error);
