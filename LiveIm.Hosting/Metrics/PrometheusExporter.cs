using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace LiveIm.Hosting.Metrics;

/// <summary>
/// Renders the counters and gauges of this process's own meters (System.Diagnostics.Metrics) in the Prometheus
/// text format for <c>GET /metrics</c>. Names are the instrument names with dots as underscores; counters get
/// <c>_total</c>; tags become labels. Only the meters the host hands in are read, so several hosts in one process
/// (the integration tests) each report their own numbers.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly object _gate = new();
    private readonly Dictionary<Instrument, Dictionary<string, double>> _values = new();

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
            foreach (var (instrument, series) in _values.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
            {
                var counter = instrument is ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double>
                    or Counter<long> or Counter<int> or Counter<double>;
                var name = instrument.Name.Replace('.', '_') + (counter ? "_total" : "");
                if (instrument.Description is { Length: > 0 } help)
                {
                    text.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
                }

                text.Append("# TYPE ").Append(name).Append(counter ? " counter\n" : " gauge\n");
                foreach (var (labels, value) in series.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    text.Append(name).Append(labels).Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                }
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        where T : struct
    {
        var labels = Labels(tags);
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        lock (_gate)
        {
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
}
