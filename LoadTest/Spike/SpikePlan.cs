using LiveIm.LoadTest.Runner;

namespace LiveIm.LoadTest.Spike;

/// <summary>What one spike scenario runs: the runner's scenarios, what it asserts, and the figures it computes at the end.</summary>
internal sealed class SpikePlan
{
    /// <summary>The runner scenarios (viewers, chatters, gift senders, timed actions), run at once.</summary>
    public required IReadOnlyList<Scenario> Scenarios { get; init; }

    /// <summary>The scenario's own thresholds (the command line's are added).</summary>
    public required IReadOnlyList<Threshold> Thresholds { get; init; }

    /// <summary>What it asserts, in words, printed before it runs.</summary>
    public required IReadOnlyList<string> Asserts { get; init; }

    /// <summary>Runs after the load, before the thresholds: sets the end-of-run counters (gifts lost, …) and returns key figures.</summary>
    public required Func<IReadOnlyList<Sample>, IReadOnlyList<KeyValuePair<string, string>>> Finish { get; init; }
}
