namespace LiveIm.LoadTest.Runner;

/// <summary>One second of a run: every series' value for that second (counts are per second).</summary>
/// <param name="Seconds">Seconds since the run began, at the end of this sample.</param>
/// <param name="Values">Series name → value (NaN: not readable that second).</param>
public sealed record Sample(double Seconds, IReadOnlyDictionary<string, double> Values)
{
    /// <summary>The value of <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    public double Get(string name, double fallback = 0) => Values.TryGetValue(name, out var v) ? v : fallback;
}
