namespace LiveIm.LoadTest.Runner;

/// <summary>Everything a run measured: totals per step, the final values thresholds read, the series per second.</summary>
public sealed record RunResult
{
    /// <summary>The run's name (the spike scenario).</summary>
    public required string Name { get; init; }

    /// <summary>When it began (UTC).</summary>
    public required DateTime StartedUtc { get; init; }

    /// <summary>How long the load ran (without init and clean).</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>The runner scenarios and their simulations, one line each.</summary>
    public required IReadOnlyList<string> Scenarios { get; init; }

    /// <summary>Per step, over the whole run.</summary>
    public required IReadOnlyList<StepSummary> Steps { get; init; }

    /// <summary>Final values by name: what thresholds read (<c>gift.lost</c>, <c>join.fail.percent</c>, <c>gift.p99</c>, …).</summary>
    public required IReadOnlyDictionary<string, double> Values { get; init; }

    /// <summary>One sample per second.</summary>
    public required IReadOnlyList<Sample> Samples { get; init; }

    /// <summary>The thresholds' outcomes, in the order given.</summary>
    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];

    /// <summary>Lines the caller adds: what the scenario asserts, figures it computed, what went wrong.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Free-form key figures (label → text) for the report's summary table.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Figures { get; init; } = [];

    /// <summary>True when every threshold held.</summary>
    public bool Passed => Thresholds.All(t => t.Passed);
}
