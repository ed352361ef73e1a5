using System.Globalization;
using System.Text;

namespace LiveIm.LoadTest.Runner;

/// <summary>What a second looks like in words: the headline series, the errors of that second, each process's CPU and RSS.</summary>
public static class ProgressLine
{
    /// <summary>The headline series a spike run shows (label, series name); absent series are left out.</summary>
    public static readonly IReadOnlyList<(string Label, string Series)> Headline =
    [
        ("connections", "connections"),
        ("joins/s", "join.ok"),
        ("deliveries/s", "deliveries"),
        ("events/frame", "events_per_frame"),
        ("chat p99 ms", "chat.p99"),
        ("gift p99 ms", "gift.p99"),
        ("gifts acked/s", "gift.send.ok"),
        ("reconnects/s", "reconnects"),
        ("online", "online"),
    ];

    /// <summary>Errors of the sample by series (<c>join.fail.rate_limited</c> 3, …), largest first.</summary>
    public static IEnumerable<KeyValuePair<string, double>> Errors(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Values.Where(kv => kv.Key.Contains(".fail.", StringComparison.Ordinal) && kv.Value > 0)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal);
    }

    /// <summary>Process names with a CPU or RSS reading in the sample.</summary>
    public static IEnumerable<string> Processes(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Values.Keys.Where(k => k.StartsWith("rss.", StringComparison.Ordinal)).Select(k => k[4..]).Order(StringComparer.Ordinal);
    }

    /// <summary>One plain line: <c>t=5s connections 200 | joins/s 40 | … | errors: join.fail.rate_limited 3 | gateway_1 23% 120MB</c>.</summary>
    public static string Format(Sample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"t={sample.Seconds:0}s"));
        foreach (var (label, series) in Headline)
        {
            if (sample.Values.TryGetValue(series, out var v) && double.IsFinite(v))
            {
                line.Append(CultureInfo.InvariantCulture, $" | {label} {Number(v)}");
            }
        }

        var errors = Errors(sample).Take(4).ToArray();
        line.Append(errors.Length == 0 ? " | errors 0" : " | errors: " + string.Join(", ", errors.Select(e => $"{e.Key} {Number(e.Value)}")));
        foreach (var process in Processes(sample))
        {
            var cpu = sample.Get($"cpu.{process}", double.NaN);
            line.Append(CultureInfo.InvariantCulture, $" | {process} {(double.IsFinite(cpu) ? cpu.ToString("0", CultureInfo.InvariantCulture) + "%" : "-")} {sample.Get($"rss.{process}"):0}MB");
        }

        return line.ToString();
    }

    /// <summary>A number for a person: no decimals when large, two when small.</summary>
    public static string Number(double value) => Math.Abs(value) >= 100 || value == Math.Floor(value)
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);
}
