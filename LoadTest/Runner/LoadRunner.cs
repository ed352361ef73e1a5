using System.Diagnostics;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// Runs scenarios at once, each on its own load simulations (NBomber's runner): samples every metric each second,
/// shows progress, and at the end computes the final values and checks the thresholds.
/// </summary>
/// <remarks>This file holds the run; <c>LoadRunner.Drivers.cs</c> how closed copies and open arrivals are driven,
/// <c>LoadRunner.Values.cs</c> the per-second samples and the final values.</remarks>
public sealed partial class LoadRunner
{
    private const int MaxNotes = 300;

    private readonly List<Scenario> _scenarios = [];
    private readonly List<string> _notes = [];
    private readonly List<Threshold> _thresholds = [];
    private Func<IReadOnlyList<TargetProcess>> _processes = () => [];
    private IRunProgress? _progress;
    private Func<IReadOnlyList<Sample>, IReadOnlyList<KeyValuePair<string, string>>>? _finish;
    private long _start;

    private LoadRunner(string name)
    {
        Name = name;
    }

    /// <summary>The run's name.</summary>
    public string Name { get; }

    /// <summary>The metrics every scenario records into (register custom ones before <see cref="RunAsync"/>).</summary>
    public MetricsRegistry Metrics { get; } = new();

    /// <summary>How long open iterations still running after their scenario's last phase may take before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; private set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open iterations in flight at most per scenario; an arrival past it is counted in <c>&lt;scenario&gt;.dropped_iterations</c>.</summary>
    public int MaxInFlight { get; private set; } = 50_000;

    /// <summary>A runner named <paramref name="name"/>.</summary>
    public static LoadRunner Create(string name) => new(name);

    /// <summary>Adds scenarios (their names must differ).</summary>
    public LoadRunner RegisterScenarios(params Scenario[] scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        foreach (var scenario in scenarios)
        {
            if (_scenarios.Any(s => s.Name == scenario.Name))
            {
                throw new ArgumentException($"Two scenarios are named '{scenario.Name}'.", nameof(scenarios));
            }

            if (scenario.Simulations.Count == 0)
            {
                throw new ArgumentException($"Scenario '{scenario.Name}' has no load simulation.", nameof(scenarios));
            }

            _scenarios.Add(scenario);
        }

        return this;
    }

    /// <summary>Adds thresholds, checked at the end.</summary>
    public LoadRunner WithThresholds(params Threshold[] thresholds)
    {
        _thresholds.AddRange(thresholds);
        return this;
    }

    /// <summary>The processes whose CPU and memory are sampled each second (asked again every second).</summary>
    public LoadRunner WithProcesses(Func<IReadOnlyList<TargetProcess>> processes)
    {
        _processes = processes ?? throw new ArgumentNullException(nameof(processes));
        return this;
    }

    /// <summary>Where progress goes.</summary>
    public LoadRunner WithProgress(IRunProgress progress)
    {
        _progress = progress;
        return this;
    }

    /// <summary>
    /// Runs after the load and the cleans, before the final values and thresholds: sets end-of-run counters (gifts
    /// lost, …) from the samples and returns key figures for the report.
    /// </summary>
    public LoadRunner WithFinish(Func<IReadOnlyList<Sample>, IReadOnlyList<KeyValuePair<string, string>>> finish)
    {
        _finish = finish ?? throw new ArgumentNullException(nameof(finish));
        return this;
    }

    /// <summary>Sets <see cref="DrainTimeout"/>.</summary>
    public LoadRunner WithDrainTimeout(TimeSpan timeout)
    {
        DrainTimeout = timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(10) ? timeout : throw new ArgumentOutOfRangeException(nameof(timeout));
        return this;
    }

    /// <summary>Sets <see cref="MaxInFlight"/>.</summary>
    public LoadRunner WithMaxInFlight(int max)
    {
        MaxInFlight = max is > 0 and <= 1_000_000 ? max : throw new ArgumentOutOfRangeException(nameof(max));
        return this;
    }

    /// <summary>A line for the progress output (and the report's notes).</summary>
    public void Note(string line)
    {
        lock (_notes)
        {
            // Bounded: a failure repeated by every copy must not grow the report without end.
            if (_notes.Count < MaxNotes)
            {
                _notes.Add($"{Elapsed().TotalSeconds,6:0.0} s  {line}");
            }
            else if (_notes.Count == MaxNotes)
            {
                _notes.Add("… further notes left out");
            }
        }

        _progress?.Note(line);
    }

    /// <summary>Runs every scenario's init, the load, the cleans; then computes values and checks thresholds.</summary>
    public async Task<RunResult> RunAsync(CancellationToken cancellationToken = default)
    {
        if (_scenarios.Count == 0)
        {
            throw new InvalidOperationException("No scenario registered.");
        }

        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var scenario in _scenarios)
        {
            data[scenario.Name] = scenario.Init is null ? null : await scenario.Init(cancellationToken).ConfigureAwait(false);
        }

        var startedUtc = DateTime.UtcNow;
        _progress?.Start(Name, _scenarios);
        _start = Stopwatch.GetTimestamp();
        var watch = new TargetProcessWatch(_processes);
        using var stopSampling = new CancellationTokenSource();
        var sampler = new Thread(() => SampleLoop(watch, stopSampling.Token)) { IsBackground = true, Name = "spike-sampler" };
        sampler.Start();
        try
        {
            var drivers = _scenarios.Select(s => Task.Run(() => DriveAsync(s, data[s.Name], cancellationToken), CancellationToken.None)).ToArray();
            await Task.WhenAll(drivers).ConfigureAwait(false);
        }
        finally
        {
            await stopSampling.CancelAsync().ConfigureAwait(false);
            sampler.Join();
        }

        var duration = Elapsed();
        TakeSample(watch); // the last partial second, so totals include everything
        foreach (var scenario in _scenarios)
        {
            if (scenario.Clean is not null)
            {
                await scenario.Clean().ConfigureAwait(false);
            }
        }

        var figures = _finish?.Invoke(Samples) ?? [];
        var values = FinalValues(duration);
        return new RunResult
        {
            Name = Name,
            StartedUtc = startedUtc,
            Duration = duration,
            Scenarios = _scenarios.Select(s => $"{s.Name}: {string.Join(", ", s.Simulations)}").ToArray(),
            Steps = Metrics.Steps.OrderBy(s => s.Scenario, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)
                .Select(s => new StepSummary(s.Scenario, s.Name, s.Ok, s.Failures, s.Bytes, s.Latency.Total(), s.LastError)).ToArray(),
            Values = values,
            Samples = Samples,
            Thresholds = _thresholds.Select(t => t.Check(values)).ToArray(),
            Notes = NotesSoFar,
            Figures = figures,
        };
    }

    /// <summary>Time since the load began.</summary>
    public TimeSpan Elapsed() => _start == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_start);

    private IReadOnlyList<string> NotesSoFar
    {
        get
        {
            lock (_notes)
            {
                return _notes.ToArray();
            }
        }
    }

}
