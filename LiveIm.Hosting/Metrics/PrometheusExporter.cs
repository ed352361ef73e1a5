using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// Renders the instruments of this process's own meters (System.Diagnostics.Metrics) in the Prometheus text format
/// 0.0.4 for <c>GET /metrics</c> (https://prometheus.io/docs/instrumenting/exposition_formats/). Names are the
/// instrument names with dots as underscores; counters get <c>_total</c>; an instrument in seconds (unit <c>s</c>)
/// gets <c>_seconds</c>; tags become labels. Histograms are aggregated here into the buckets their instrument
/// advises (<see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>, else <see cref="DefaultBuckets"/>) and
/// rendered as cumulative <c>_bucket{le="..."}</c> series ending with <c>le="+Inf"</c>, then <c>_sum</c> and
/// <c>_count</c>. Only the meters the host hands in are read, so several hosts in one process (the integration
/// tests) each report their own numbers.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    /// <summary>Buckets of a histogram without advice: Prometheus's default latency buckets, in seconds.</summary>
    public static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<Instrument, Dictionary<string, double>> _values = new();
    private readonly Dictionary<Instrument, Dictionary<string, HistogramState>> _histograms = new();

    public PrometheusExporter(IEnumerable<Meter> meters)
    {
        var mine = meters.ToHashSet();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (mine.Contains(instrument.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The current values in Prometheus text exposition format 0.0.4.</summary>
    public string Render()
    {
        lock (_gate)
        {
            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            var instruments = _values.Keys.Concat(_histograms.Keys).Distinct().OrderBy(i => MetricName(i), StringComparer.Ordinal);
            foreach (var instrument in instruments)
            {
                var name = MetricName(instrument);
                if (instrument.Description is { Length: > 0 } help)
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
                }

                if (_histograms.TryGetValue(instrument, out var histogram))
                {
                    text.Append("# TYPE ").Append(name).Append(" histogram\n");
                    foreach (var (labels, state) in histogram.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    {
                        state.Render(text, name, labels);
                    }

                    continue;
                }

                text.Append("# TYPE ").Append(name).Append(IsCounter(instrument) ? " counter\n" : " gauge\n");
                foreach (var (labels, value) in _values[instrument].OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    text.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A sample value as the text format writes it (Go's ParseFloat syntax: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>).</summary>
    public static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static bool IsCounter(Instrument instrument) =>
        instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
            or Counter<long> or Counter<int> or Counter<double>;

    private static string MetricName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        if (instrument.Unit == "s" && !name.EndsWith("_seconds", StringComparison.Ordinal))
        {
            name += "_seconds";
        }

        return IsCounter(instrument) ? name + "_total" : name;
    }

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var labels = Labels(tags);
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        lock (_gate)
        {
            if (instrument is Histogram<double> or Histogram<long> or Histogram<int>)
            {
                if (!_histograms.TryGetValue(instrument, out var states))
                {
                    _histograms[instrument] = states = new Dictionary<string, HistogramState>(StringComparer.Ordinal);
                }

                if (!states.TryGetValue(labels, out var state))
                {
                    states[labels] = state = new HistogramState(Buckets(instrument));
                }

                state.Add(number);
                return;
            }

            if (!_values.TryGetValue(instrument, out var series))
            {
                _values[instrument] = series = new Dictionary<string, double>(StringComparer.Ordinal);
            }

            // Observable instruments report totals; plain counters report increments to add up.
            series[labels] = instrument is Counter<long> or Counter<int> or Counter<double> or UpDownCounter<long> or UpDownCounter<int>
                ? series.GetValueOrDefault(labels) + number
                : number;
        }
    }

    private static double[] Buckets(Instrument instrument)
    {
        IReadOnlyList<double>? advised = instrument switch
        {
            Histogram<double> d => d.Advice?.HistogramBucketBoundaries,
            Histogram<long> l => l.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            Histogram<int> i => i.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToList(),
            _ => null,
        };
        return (advised is { Count: > 0 } ? advised : DefaultBuckets).Distinct().Order().ToArray();
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var text = new StringBuilder("{");
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            var value = Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "";
            text.Append(tags[i].Key.Replace('.', '_')).Append("=\"")
                .Append(value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
        }

        return text.Append('}').ToString();
    }

    /// <summary>One label set of a histogram: a count per bucket (not cumulative; summed when rendered), sum, count.</summary>
    private sealed class HistogramState(double[] bounds)
    {
        private readonly long[] _counts = new long[bounds.Length + 1];
        private double _sum;
        private long _count;

        public void Add(double value)
        {
            // Prometheus buckets are "less than or equal": a value on a bound belongs to that bound's bucket.
            var i = Array.BinarySearch(bounds, value);
            _counts[i >= 0 ? i : ~i]++;
            _sum += value;
            _count++;
        }

        public void Render(StringBuilder text, string name, string labels)
        {
            var prefix = labels.Length == 0 ? "{" : labels[..^1] + ",";
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += _counts[i];
                text.Append(name).Append("_bucket").Append(prefix).Append("le=\"").Append(Number(bounds[i])).Append("\"} ")
                    .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }

            text.Append(name).Append("_bucket").Append(prefix).Append("le=\"+Inf\"} ").Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append(name).Append("_sum").Append(labels).Append(' ').Append(Number(_sum)).Append('\n');
            text.Append(name).Append("_count").Append(labels).Append(' ').Append(_count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
