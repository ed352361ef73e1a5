namespace LiveIm.LoadTest.Runner;

/// <summary>
/// One phase of a scenario's load, in NBomber's vocabulary. The closed simulations (<see cref="RampingConstant"/>,
/// <see cref="KeepConstant"/>) hold a number of copies that each run the scenario over and over: a connected viewer is
/// one copy whose iteration lasts until the copy is retired. The open ones (<see cref="Inject"/>,
/// <see cref="RampingInject"/>, <see cref="InjectRandom"/>) start iterations at a rate whatever the system does, each
/// with a due time its latency is measured from (no coordinated omission).
/// </summary>
public sealed record LoadSimulation
{
    /// <summary>Longest phase: every loop of the runner is bounded in time.</summary>
    public static readonly TimeSpan MaxDuring = TimeSpan.FromHours(6);

    /// <summary>Most copies a closed phase may ask for (one process holds every viewer's socket).</summary>
    public const int MaxCopies = 1_000_000;

    /// <summary>Most iterations per second an open phase may ask for.</summary>
    public const double MaxRatePerSecond = 1_000_000;

    private LoadSimulation(LoadSimulationKind kind, TimeSpan during)
    {
        if (during <= TimeSpan.Zero || during > MaxDuring)
        {
            throw new ArgumentOutOfRangeException(nameof(during), during, $"A phase lasts more than 0 and at most {MaxDuring.TotalHours:0} h.");
        }

        Kind = kind;
        During = during;
    }

    /// <summary>Which simulation.</summary>
    public LoadSimulationKind Kind { get; }

    /// <summary>How long the phase lasts.</summary>
    public TimeSpan During { get; }

    /// <summary>Closed phases: the copies at the end of the phase.</summary>
    public int Copies { get; private init; }

    /// <summary>Open phases: iterations per <see cref="Interval"/> (for <see cref="LoadSimulationKind.InjectRandom"/> the minimum).</summary>
    public double Rate { get; private init; }

    /// <summary><see cref="LoadSimulationKind.InjectRandom"/>: the maximum per interval.</summary>
    public double MaxRate { get; private init; }

    /// <summary>Open phases: the interval <see cref="Rate"/> is counted over.</summary>
    public TimeSpan Interval { get; private init; } = TimeSpan.FromSeconds(1);

    /// <summary>True for the closed model (copies), false for the open one (arrivals).</summary>
    public bool IsClosed => Kind is LoadSimulationKind.RampingConstant or LoadSimulationKind.KeepConstant;

    /// <summary>Copies move linearly from the current count to <paramref name="copies"/> over <paramref name="during"/>.</summary>
    public static LoadSimulation RampingConstant(int copies, TimeSpan during) =>
        new(LoadSimulationKind.RampingConstant, during) { Copies = CheckCopies(copies) };

    /// <summary><paramref name="copies"/> copies for <paramref name="during"/>.</summary>
    public static LoadSimulation KeepConstant(int copies, TimeSpan during) =>
        new(LoadSimulationKind.KeepConstant, during) { Copies = CheckCopies(copies) };

    /// <summary>The rate moves linearly from the previous open phase's (0 at first) to <paramref name="rate"/> per <paramref name="interval"/>.</summary>
    public static LoadSimulation RampingInject(double rate, TimeSpan interval, TimeSpan during) =>
        new(LoadSimulationKind.RampingInject, during) { Rate = CheckRate(rate, interval), Interval = interval };

    /// <summary><paramref name="rate"/> iterations per <paramref name="interval"/>, spread evenly over it.</summary>
    public static LoadSimulation Inject(double rate, TimeSpan interval, TimeSpan during) =>
        new(LoadSimulationKind.Inject, during) { Rate = CheckRate(rate, interval), Interval = interval };

    /// <summary>A uniformly random count in [<paramref name="min"/>, <paramref name="max"/>] per <paramref name="interval"/>.</summary>
    public static LoadSimulation InjectRandom(double min, double max, TimeSpan interval, TimeSpan during)
    {
        if (max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "max must be at least min.");
        }

        return new LoadSimulation(LoadSimulationKind.InjectRandom, during) { Rate = CheckRate(min, interval), MaxRate = CheckRate(max, interval), Interval = interval };
    }

    /// <summary>Nothing new for <paramref name="during"/>.</summary>
    public static LoadSimulation Pause(TimeSpan during) => new(LoadSimulationKind.Pause, during);

    /// <summary>Closed phases: the copies wanted <paramref name="elapsed"/> into the phase, starting from <paramref name="startCopies"/>.</summary>
    public int CopiesAt(int startCopies, TimeSpan elapsed)
    {
        if (Kind == LoadSimulationKind.KeepConstant)
        {
            return Copies;
        }

        if (Kind != LoadSimulationKind.RampingConstant)
        {
            return startCopies;
        }

        var share = Math.Clamp(elapsed / During, 0, 1);
        return (int)Math.Round(startCopies + (Copies - startCopies) * share, MidpointRounding.AwayFromZero);
    }

    /// <summary>Open phases: iterations per second <paramref name="elapsed"/> into the phase, ramping from <paramref name="startRate"/> (per interval).</summary>
    public double RatePerSecondAt(double startRate, TimeSpan elapsed, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var perInterval = Kind switch
        {
            LoadSimulationKind.Inject => Rate,
            LoadSimulationKind.RampingInject => startRate + (Rate - startRate) * Math.Clamp(elapsed / During, 0, 1),
            LoadSimulationKind.InjectRandom => Rate + random.NextDouble() * (MaxRate - Rate),
            _ => 0,
        };
        return perInterval / Interval.TotalSeconds;
    }

    /// <summary>"RampingConstant(copies: 200, during: 10 s)".</summary>
    public override string ToString() => Kind switch
    {
        LoadSimulationKind.RampingConstant or LoadSimulationKind.KeepConstant => $"{Kind}(copies: {Copies}, during: {During.TotalSeconds:0.##} s)",
        LoadSimulationKind.InjectRandom => $"{Kind}(min: {Rate:0.##}, max: {MaxRate:0.##}, interval: {Interval.TotalSeconds:0.##} s, during: {During.TotalSeconds:0.##} s)",
        LoadSimulationKind.Pause => $"{Kind}(during: {During.TotalSeconds:0.##} s)",
        _ => $"{Kind}(rate: {Rate:0.##}, interval: {Interval.TotalSeconds:0.##} s, during: {During.TotalSeconds:0.##} s)",
    };

    private static int CheckCopies(int copies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(copies);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(copies, MaxCopies);
        return copies;
    }

    private static double CheckRate(double rate, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero || interval > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "An interval lasts more than 0 and at most 10 min.");
        }

        if (double.IsNaN(rate) || rate < 0 || rate / interval.TotalSeconds > MaxRatePerSecond)
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"A rate is 0 to {MaxRatePerSecond:N0} per second.");
        }

        return rate;
    }
}
