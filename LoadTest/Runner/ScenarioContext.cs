using System.Diagnostics;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// What one iteration of a scenario sees: which copy it is, when it was due, when to stop, and the run's metrics.
/// A closed-model copy keeps its context over its iterations; an open-model iteration gets its own.
/// </summary>
public sealed class ScenarioContext
{
    private long _nextStepStart;

    internal ScenarioContext(string scenarioName, int copyNumber, MetricsRegistry metrics, object? data, CancellationToken cancellationToken)
    {
        ScenarioName = scenarioName;
        CopyNumber = copyNumber;
        Metrics = metrics;
        Data = data;
        CancellationToken = cancellationToken;
    }

    /// <summary>The scenario's name.</summary>
    public string ScenarioName { get; }

    /// <summary>The copy (closed model: 0, 1, … in start order; open model: the iteration's number).</summary>
    public int CopyNumber { get; }

    /// <summary>How many iterations this context ran before this one.</summary>
    public long InvocationNumber { get; private set; }

    /// <summary>When this iteration was due (<see cref="Stopwatch.GetTimestamp"/>); the first step's latency counts from here.</summary>
    public long DueTimestamp { get; private set; }

    /// <summary>Cancelled when this copy is retired (ramp down) or the run ends: an iteration that holds a connection waits on it.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The run's metrics, for custom counters, gauges and histograms.</summary>
    public MetricsRegistry Metrics { get; }

    /// <summary>What the scenario's init returned (shared by every copy).</summary>
    public object? Data { get; }

    internal void Begin(long dueTimestamp)
    {
        DueTimestamp = dueTimestamp;
        _nextStepStart = dueTimestamp;
    }

    internal void End() => InvocationNumber++;

    /// <summary>The first step of an iteration starts at its due time (so a late start is latency, not hidden); later ones when called.</summary>
    internal long TakeStepStart()
    {
        var start = _nextStepStart;
        _nextStepStart = 0;
        return start != 0 ? start : Stopwatch.GetTimestamp();
    }
}
