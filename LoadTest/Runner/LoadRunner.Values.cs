using System.Diagnostics;

namespace LiveIm.LoadTest.Runner;

// One sample a second, and the final values the thresholds read.
public sealed partial class LoadRunner
{
    private readonly List<Sample> _samples = [];
    private readonly Dictionary<string, long> _lastCounts = new(StringComparer.Ordinal);

    private IReadOnlyList<Sample> Samples
    {
        get
        {
            lock (_samples)
            {
                return _samples.ToArray();
            }
        }
    }

    private void SampleLoop(TargetProcessWatch watch, CancellationToken stop)
    {
        watch.Read(new Dictionary<string, double>(), Stopwatch.GetTimestamp()); // CPU baselines
        var next = _start + Stopwatch.Frequency;
        while (!stop.IsCancellationRequested)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                stop.WaitHandle.WaitOne(wait);
                if (stop.IsCancellationRequested)
                {
                    return;
                }
            }

            TakeSample(watch);
            next += Stopwatch.Frequency;
        }
    }

    private void TakeSample(TargetProcessWatch watch)
    {
        lock (_lastCounts)
        {
            var now = Stopwatch.GetTimestamp();
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var step in Metrics.Steps)
            {
                values[$"{step.Name}.ok"] = Delta($"{step.Name}.ok", step.Ok);
                var failures = step.Failures;
                values[$"{step.Name}.fail"] = Delta($"{step.Name}.fail", failures.Values.Sum());
                foreach (var (code, count) in failures)
                {
                    values[$"{step.Name}.fail.{code}"] = Delta($"{step.Name}.fail.{code}", count);
                }

                values[$"{step.Name}.bytes"] = Delta($"{step.Name}.bytes", step.Bytes);
                AddLatency(values, step.Name, step.Latency.TakeInterval());
            }

            foreach (var counter in Metrics.Counters)
            {
                values[counter.Name] = Delta(counter.Name, counter.Value);
            }

            foreach (var gauge in Metrics.Gauges)
            {
                values[gauge.Name] = gauge.Read();
            }

            foreach (var (name, histogram) in Metrics.Histograms)
            {
                AddLatency(values, name, histogram.TakeInterval());
            }

            foreach (var (name, (numerator, denominator)) in Metrics.Ratios)
            {
                var den = values.TryGetValue(denominator.Name, out var d) ? d : 0;
                var num = values.TryGetValue(numerator.Name, out var u) ? u : 0;
                if (den > 0)
                {
                    values[name] = num / den;
                }
            }

            watch.Read(values, now);
            var sample = new Sample(Stopwatch.GetElapsedTime(_start, now).TotalSeconds, values);
            lock (_samples)
            {
                _samples.Add(sample);
            }

            _progress?.OnSample(sample);
        }
    }

    private static void AddLatency(Dictionary<string, double> values, string name, LatencyStats stats)
    {
        if (stats.Count == 0)
        {
            return;
        }

        values[$"{name}.p50"] = stats.P50;
        values[$"{name}.p99"] = stats.P99;
        values[$"{name}.max"] = stats.Max;
    }

    private double Delta(string key, long total)
    {
        var before = _lastCounts.GetValueOrDefault(key);
        _lastCounts[key] = total;
        return total - before;
    }

    private Dictionary<string, double> FinalValues(TimeSpan duration)
    {
        var seconds = Math.Max(duration.TotalSeconds, 1e-3);
        var samples = Samples;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var step in Metrics.Steps)
        {
            var failures = step.Failures;
            var failed = failures.Values.Sum();
            values[$"{step.Name}.ok"] = step.Ok;
            values[$"{step.Name}.fail"] = failed;
            values[$"{step.Name}.fail.percent"] = step.Ok + failed == 0 ? 0 : 100.0 * failed / (step.Ok + failed);
            foreach (var (code, count) in failures)
            {
                values[$"{step.Name}.fail.{code}"] = count;
            }

            values[$"{step.Name}.rps"] = step.Ok / seconds;
            values[$"{step.Name}.bytes"] = step.Bytes;
            foreach (var (name, value) in step.Latency.Total().Named(step.Name))
            {
                values[name] = value;
            }
        }

        foreach (var counter in Metrics.Counters)
        {
            values[counter.Name] = counter.Value;
            values[$"{counter.Name}.per_second"] = counter.Value / seconds;
            values[$"{counter.Name}.per_second.max"] = Series(samples, counter.Name).DefaultIfEmpty(0).Max();
        }

        foreach (var gauge in Metrics.Gauges)
        {
            var series = Series(samples, gauge.Name).ToArray();
            values[gauge.Name] = series.Length == 0 ? double.NaN : series[^1];
            values[$"{gauge.Name}.max"] = series.DefaultIfEmpty(double.NaN).Max();
            values[$"{gauge.Name}.min"] = series.DefaultIfEmpty(double.NaN).Min();
        }

        foreach (var (name, histogram) in Metrics.Histograms)
        {
            foreach (var (key, value) in histogram.Total().Named(name))
            {
                values[key] = value;
            }
        }

        foreach (var (name, (numerator, denominator)) in Metrics.Ratios)
        {
            values[name] = denominator.Value > 0 ? (double)numerator.Value / denominator.Value : 0;
        }

        foreach (var key in samples.SelectMany(s => s.Values.Keys).Where(k => k.StartsWith("cpu.", StringComparison.Ordinal) || k.StartsWith("rss.", StringComparison.Ordinal)).Distinct().ToArray())
        {
            var series = Series(samples, key).ToArray();
            values[$"{key}.max"] = series.DefaultIfEmpty(0).Max();
            values[$"{key}.mean"] = series.DefaultIfEmpty(0).Average();
        }

        return values;
    }

    private static IEnumerable<double> Series(IEnumerable<Sample> samples, string name) =>
        samples.Select(s => s.Values.TryGetValue(name, out var v) ? v : double.NaN).Where(double.IsFinite);
}
