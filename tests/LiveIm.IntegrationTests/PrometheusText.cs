using System.Globalization;
using System.Text;

namespace LiveIm.IntegrationTests;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-format-details), written for the tests: it
/// throws <see cref="FormatException"/> with the line number on anything the format does not allow, instead of
/// skipping it as a lenient scraper might.
/// <para>
/// Checked: every line ends with <c>\n</c>; <c># HELP name text</c> (escapes <c>\\</c> and <c>\n</c> only) and
/// <c># TYPE name type</c> at most once per family, TYPE before the family's first sample; metric names
/// <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>; label names <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, not <c>__</c>-prefixed, unique in a
/// sample; label values quoted, escapes <c>\\</c> <c>\"</c> <c>\n</c> only; values Go floats (<c>NaN</c>,
/// <c>+Inf</c>, <c>-Inf</c>); optional integer timestamp; a family's lines grouped together; no series twice.
/// Histograms: only <c>_bucket</c> (with a float <c>le</c>), <c>_sum</c>, <c>_count</c> samples; per label set the
/// buckets in increasing <c>le</c> are cumulative (non-decreasing), <c>le="+Inf"</c> is present and equals
/// <c>_count</c>. Counters are never negative.
/// </para>
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(Dictionary<string, Family> families)
    {
        Families = families;
    }

    /// <summary>The families by name.</summary>
    public IReadOnlyDictionary<string, Family> Families { get; }

    /// <summary>One sample.</summary>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
    {
        /// <summary>The labels as <c>a="x",b="y"</c> in name order (le left out), to group series.</summary>
        public string SeriesKey(params string[] without) =>
            string.Join(",", Labels.Where(l => !without.Contains(l.Key)).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\""));
    }

    /// <summary>A metric family: its TYPE, HELP and samples.</summary>
    public sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string Type { get; set; } = "untyped";

        public string? Help { get; set; }

        public List<Sample> Samples { get; } = new();
    }

    /// <summary>The value of the sample named <paramref name="sample"/> whose labels include <paramref name="labels"/>; 0 when absent.</summary>
    public double Value(string sample, params (string Name, string Value)[] labels) =>
        Families.Values.SelectMany(f => f.Samples)
            .Where(s => s.Name == sample && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value))
            .Sum(s => s.Value);

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/>.</summary>
    public static PrometheusText Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the last line does not end with \\n");
        }

        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1}: '{line}'";
            if (line.Length == 0)
            {
                continue;
            }

            string family;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || (parts[1] != "HELP" && parts[1] != "TYPE"))
                {
                    continue; // a comment
                }

                family = parts[2];
                RequireMetricName(family, where);
                var f = Enter(family);
                if (parts[1] == "HELP")
                {
                    if (f.Help is not null)
                    {
                        throw new FormatException($"{where}: second HELP for {family}");
                    }

                    f.Help = Unescape(parts.Length > 3 ? parts[3] : "", allowQuote: false, where);
                }
                else
                {
                    if (parts.Length != 4 || parts[3] is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"{where}: bad TYPE line");
                    }

                    if (f.Type != "untyped" || f.Samples.Count > 0)
                    {
                        throw new FormatException($"{where}: TYPE after samples or twice for {family}");
                    }

                    f.Type = parts[3];
                }

                continue;
            }

            var sample = ParseSample(line, where);
            family = FamilyOf(sample.Name, families);
            var fam = Enter(family);
            if (!seen.Add(sample.Name + "{" + sample.SeriesKey() + "}"))
            {
                throw new FormatException($"{where}: series repeated");
            }

            fam.Samples.Add(sample);
            continue;

            Family Enter(string name)
            {
                if (current != name)
                {
                    if (closed.Contains(name))
                    {
                        throw new FormatException($"{where}: lines of family {name} are not grouped together");
                    }

                    if (current is not null)
                    {
                        closed.Add(current);
                    }

                    current = name;
                }

                if (!families.TryGetValue(name, out var f))
                {
                    families[name] = f = new Family(name);
                }

                return f;
            }
        }

        foreach (var f in families.Values)
        {
            Check(f);
        }

        return new PrometheusText(families);
    }

    private static string FamilyOf(string sampleName, Dictionary<string, Family> families)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(sampleName[..^suffix.Length], out var f) && f.Type is "histogram" or "summary")
            {
                return f.Name;
            }
        }

        return sampleName;
    }

    private static void Check(Family f)
    {
        if (f.Type == "counter" && f.Samples.FirstOrDefault(s => s.Value < 0 || double.IsNaN(s.Value)) is { } negative)
        {
            throw new FormatException($"counter {f.Name} has value {negative.Value}");
        }

        if (f.Type != "histogram")
        {
            return;
        }

        foreach (var series in f.Samples.GroupBy(s => s.SeriesKey("le")))
        {
            var buckets = new List<(double Le, double Value)>();
            double? count = null, sum = null;
            foreach (var s in series)
            {
                if (s.Name == f.Name + "_bucket")
                {
                    if (!s.Labels.TryGetValue("le", out var le))
                    {
                        throw new FormatException($"{f.Name}_bucket without le");
                    }

                    buckets.Add((ParseFloat(le, $"{f.Name} le"), s.Value));
                }
                else if (s.Name == f.Name + "_count")
                {
                    count = s.Value;
                }
                else if (s.Name == f.Name + "_sum")
                {
                    sum = s.Value;
                }
                else
                {
                    throw new FormatException($"histogram {f.Name} has a sample {s.Name}");
                }
            }

            if (count is null || sum is null)
            {
                throw new FormatException($"histogram {f.Name}{{{series.Key}}} lacks _count or _sum");
            }

            buckets.Sort((a, b) => a.Le.CompareTo(b.Le));
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le))
            {
                throw new FormatException($"histogram {f.Name}{{{series.Key}}} has no le=\"+Inf\" bucket");
            }

            for (var i = 1; i < buckets.Count; i++)
            {
                if (buckets[i].Le == buckets[i - 1].Le)
                {
                    throw new FormatException($"histogram {f.Name}{{{series.Key}}} repeats le={buckets[i].Le}");
                }

                if (buckets[i].Value < buckets[i - 1].Value)
                {
                    throw new FormatException($"histogram {f.Name}{{{series.Key}}} is not cumulative at le={buckets[i].Le}");
                }
            }

            if (buckets[^1].Value != count)
            {
                throw new FormatException($"histogram {f.Name}{{{series.Key}}}: +Inf bucket {buckets[^1].Value} != _count {count}");
            }
        }
    }

    private static Sample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        RequireMetricName(name, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}')
                {
                    i++;
                    break;
                }

                var start = i;
                while (i < line.Length && line[i] != '=')
                {
                    i++;
                }

                var label = line[start..i];
                if (!IsLabelName(label) || label.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new FormatException($"{where}: bad label name '{label}'");
                }

                if (i + 1 >= line.Length || line[i + 1] != '"')
                {
                    throw new FormatException($"{where}: label value of {label} not quoted");
                }

                i += 2;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new FormatException($"{where}: unterminated label value");
                    }

                    var c = line[i++];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        var e = i < line.Length ? line[i++] : '\0';
                        value.Append(e switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"{where}: bad escape \\{e} in a label value"),
                        });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }

                if (!labels.TryAdd(label, value.ToString()))
                {
                    throw new FormatException($"{where}: label {label} twice");
                }

                if (i < line.Length && line[i] == ',')
                {
                    i++;
                }
                else if (i >= line.Length || line[i] != '}')
                {
                    throw new FormatException($"{where}: expected ',' or '}}' after a label");
                }
            }
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"{where}: no value");
        }

        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || rest.Any(r => r.Length == 0))
        {
            throw new FormatException($"{where}: expected 'value [timestamp]'");
        }

        var number = ParseFloat(rest[0], where);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"{where}: bad timestamp");
        }

        return new Sample(name, labels, number);
    }

    private static double ParseFloat(string text, string where) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when text.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => throw new FormatException($"{where}: '{text}' is not a float"),
    };

    private static string Unescape(string text, bool allowQuote, string where)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                sb.Append(text[i]);
                continue;
            }

            var e = ++i < text.Length ? text[i] : '\0';
            sb.Append(e switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when allowQuote => '"',
                _ => throw new FormatException($"{where}: bad escape \\{e}"),
            });
        }

        return sb.ToString();
    }

    private static void RequireMetricName(string name, string where)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] is '_' or ':')
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
        {
            throw new FormatException($"{where}: bad metric name '{name}'");
        }
    }

    private static bool IsLabelName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
