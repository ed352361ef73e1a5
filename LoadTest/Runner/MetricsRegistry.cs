using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// Every measured thing of a run, by name: steps (ok/fail/latency), custom counters, gauges, latency histograms and
/// ratios. Names are lower-case words joined by dots (<c>gift.lost</c>); they are what thresholds and the report's
/// columns refer to.
/// </summary>
public sealed partial class MetricsRegistry
{
    private readonly ConcurrentDictionary<string, StepStats> _steps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LatencyRecorder> _histograms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Counter Numerator, Counter Denominator)> _ratios = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _kinds = new(StringComparer.Ordinal);

    /// <summary>The steps, in no particular order.</summary>
    public IReadOnlyCollection<StepStats> Steps => _steps.Values.ToArray();

    /// <summary>The counters.</summary>
    public IReadOnlyCollection<Counter> Counters => _counters.Values.ToArray();

    /// <summary>The gauges.</summary>
    public IReadOnlyCollection<Gauge> Gauges => _gauges.Values.ToArray();

    /// <summary>The latency histograms by name.</summary>
    public IReadOnlyDictionary<string, LatencyRecorder> Histograms => new Dictionary<string, LatencyRecorder>(_histograms, StringComparer.Ordinal);

    /// <summary>The ratios by name (numerator growth / denominator growth).</summary>
    public IReadOnlyDictionary<string, (Counter Numerator, Counter Denominator)> Ratios =>
        new Dictionary<string, (Counter, Counter)>(_ratios, StringComparer.Ordinal);

    /// <summary>The step <paramref name="name"/> of <paramref name="scenario"/> (created on first use).</summary>
    public StepStats Step(string scenario, string name)
    {
        Claim(name, "step");
        return _steps.GetOrAdd(name, n => new StepStats(scenario, n));
    }

    /// <summary>The counter <paramref name="name"/> (created on first use).</summary>
    public Counter Counter(string name)
    {
        Claim(name, "counter");
        return _counters.GetOrAdd(name, n => new Counter(n));
    }

    /// <summary>Registers a gauge read once a second.</summary>
    public Gauge Gauge(string name, Func<double> read)
    {
        Claim(name, "gauge");
        return _gauges.GetOrAdd(name, n => new Gauge(n, read));
    }

    /// <summary>The latency histogram <paramref name="name"/> (created on first use).</summary>
    public LatencyRecorder Histogram(string name)
    {
        Claim(name, "histogram");
        return _histograms.GetOrAdd(name, _ => new LatencyRecorder());
    }

    /// <summary>A ratio of two counters' growth (events per frame = events / frames), per second and in total.</summary>
    public void Ratio(string name, Counter numerator, Counter denominator)
    {
        Claim(name, "ratio");
        _ratios[name] = (numerator, denominator);
    }

    /// <summary>True for a name thresholds and columns can use: [a-z0-9_] words joined by dots, at most 80 characters.</summary>
    public static bool IsValidName(string? name) => name is { Length: > 0 and <= 80 } && NameRule().IsMatch(name);

    private void Claim(string name, string kind)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a metric name ([a-z0-9_] words joined by dots).", nameof(name));
        }

        var owner = _kinds.GetOrAdd(name, kind);
        if (owner != kind)
        {
            throw new ArgumentException($"'{name}' is already a {owner}.", nameof(name));
        }
    }

    [GeneratedRegex("^[a-z0-9_]+(\\.[a-z0-9_]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameRule();
}
