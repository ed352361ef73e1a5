namespace LiveIm.LoadTest.Targets;

/// <summary>What a gateway's <c>/metrics</c> says it dropped: per lane, and connections closed as slow consumers.</summary>
/// <param name="ByLane">Dropped events by lane label ("all" when unlabelled).</param>
/// <param name="SlowConsumerCloses">Connections closed for falling behind.</param>
public sealed record DropCounters(IReadOnlyDictionary<string, double> ByLane, double SlowConsumerCloses)
{
    /// <summary>The growth from <paramref name="before"/> to this reading.</summary>
    public DropCounters Minus(DropCounters before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var lanes = ByLane.ToDictionary(kv => kv.Key, kv => kv.Value - before.ByLane.GetValueOrDefault(kv.Key));
        return new DropCounters(lanes, SlowConsumerCloses - before.SlowConsumerCloses);
    }

    /// <summary>"chat 12, gift 0; slow-consumer closes 1".</summary>
    public override string ToString()
    {
        var lanes = ByLane.Count == 0 ? "0" : string.Join(", ", ByLane.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value:0}"));
        return $"{lanes}; slow closes {SlowConsumerCloses:0}";
    }

    /// <summary>
    /// Reads the Prometheus text exposition: lines <c>liveim_gateway_dropped_total{lane="chat"} 12</c> and
    /// <c>liveim_gateway_slow_consumer_closes_total 1</c> (labels other than lane are summed over).
    /// </summary>
    public static DropCounters Parse(string metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var lanes = new Dictionary<string, double>(StringComparer.Ordinal);
        double closes = 0;
        foreach (var raw in metrics.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("liveim_gateway_dropped_total", StringComparison.Ordinal) && TryValue(line, out var dropped))
            {
                var lane = Label(line, "lane") ?? "all";
                lanes[lane] = lanes.GetValueOrDefault(lane) + dropped;
            }
            else if (line.StartsWith("liveim_gateway_slow_consumer_closes_total", StringComparison.Ordinal) && TryValue(line, out var closed))
            {
                closes += closed;
            }
        }

        return new DropCounters(lanes, closes);
    }

    private static bool TryValue(string line, out double value)
    {
        // "name{labels} value [timestamp]": the value follows the metric name and its labels.
        var afterLabels = line.LastIndexOf('}') is var brace and >= 0 ? line[(brace + 1)..] : line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var parts = afterLabels.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        value = 0;
        return parts.Length > 0 && double.TryParse(parts[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    private static string? Label(string line, string name)
    {
        var key = name + "=\"";
        var at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + key.Length;
        var end = line.IndexOf('"', start);
        return end > start ? line[start..end] : null;
    }
}
