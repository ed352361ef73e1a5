namespace LiveIm.LoadTest.Runner;

/// <summary>
/// A named workload (NBomber's scenario): an optional init that runs once before the load (its result is every copy's
/// <see cref="ScenarioContext.Data"/>), the iteration each copy or arrival runs, the load simulations in order, and an
/// optional clean. Several scenarios run at once, each with its own simulations.
/// </summary>
public sealed class Scenario
{
    private Scenario(string name, Func<ScenarioContext, Task> run)
    {
        Name = name;
        Run = run;
    }

    /// <summary>The scenario's name.</summary>
    public string Name { get; }

    /// <summary>One iteration.</summary>
    public Func<ScenarioContext, Task> Run { get; }

    /// <summary>Runs once before the load; returns the data every iteration sees.</summary>
    public Func<CancellationToken, Task<object?>>? Init { get; private init; }

    /// <summary>Runs once after the load.</summary>
    public Func<Task>? Clean { get; private init; }

    /// <summary>The phases, in order.</summary>
    public IReadOnlyList<LoadSimulation> Simulations { get; private init; } = [];

    /// <summary>How long the phases last together.</summary>
    public TimeSpan Duration => Simulations.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.During);

    /// <summary>A scenario named <paramref name="name"/> whose iteration is <paramref name="run"/>.</summary>
    public static Scenario Create(string name, Func<ScenarioContext, Task> run)
    {
        if (!MetricsRegistry.IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a scenario name ([a-z0-9_] words joined by dots).", nameof(name));
        }

        return new Scenario(name, run ?? throw new ArgumentNullException(nameof(run)));
    }

    /// <summary>Sets the init.</summary>
    public Scenario WithInit(Func<CancellationToken, Task<object?>> init) => new(Name, Run) { Init = init, Clean = Clean, Simulations = Simulations };

    /// <summary>Sets the clean.</summary>
    public Scenario WithClean(Func<Task> clean) => new(Name, Run) { Init = Init, Clean = clean, Simulations = Simulations };

    /// <summary>Sets the phases (mixing closed and open phases in one scenario is refused: a copy has no rate).</summary>
    public Scenario WithLoadSimulations(params LoadSimulation[] simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        if (simulations.Length == 0)
        {
            throw new ArgumentException("A scenario needs at least one load simulation.", nameof(simulations));
        }

        var kinds = simulations.Where(s => s.Kind != LoadSimulationKind.Pause).Select(s => s.IsClosed).Distinct().Count();
        if (kinds > 1)
        {
            throw new ArgumentException("A scenario's simulations are either closed (copies) or open (injections), not both.", nameof(simulations));
        }

        return new Scenario(Name, Run) { Init = Init, Clean = Clean, Simulations = simulations };
    }

    /// <summary>True when the scenario holds copies (closed model).</summary>
    public bool IsClosed => Simulations.Any(s => s.IsClosed);
}
