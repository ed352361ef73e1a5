using System.Globalization;
using System.Text.RegularExpressions;

namespace LiveIm.LoadTest.Runner;

/// <summary>
/// A pass/fail rule checked on a run's final values: <c>gift.lost == 0</c>, <c>gift.p99 &lt; 1000</c>,
/// <c>join.fail.percent &lt; 1</c>. From the command line (<see cref="Parse"/>) or the C# API
/// (<see cref="Create(string, ThresholdOperator, double)"/>, or any predicate with <see cref="Create(string, Func{IReadOnlyDictionary{string, double}, bool})"/>).
/// A threshold on a metric the run did not measure fails: a typo must not pass silently.
/// </summary>
public sealed partial class Threshold
{
    /// <summary>Longest threshold text accepted.</summary>
    public const int MaxLength = 200;

    private readonly Func<IReadOnlyDictionary<string, double>, (bool Passed, double? Actual, string? Why)> _check;

    private Threshold(string description, string? metric, Func<IReadOnlyDictionary<string, double>, (bool, double?, string?)> check)
    {
        Description = description;
        Metric = metric;
        _check = check;
    }

    /// <summary>The rule as written (<c>gift.lost == 0</c>).</summary>
    public string Description { get; }

    /// <summary>The metric it reads, when it reads one.</summary>
    public string? Metric { get; }

    /// <summary><paramref name="metric"/> <paramref name="op"/> <paramref name="limit"/>.</summary>
    public static Threshold Create(string metric, ThresholdOperator op, double limit)
    {
        if (!MetricsRegistry.IsValidName(metric))
        {
            throw new FormatException($"'{metric}' is not a metric name ([a-z0-9_] words joined by dots).");
        }

        if (!double.IsFinite(limit))
        {
            throw new FormatException("A threshold's limit is a finite number.");
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"{metric} {Symbol(op)} {limit}");
        return new Threshold(text, metric, values =>
        {
            if (!values.TryGetValue(metric, out var actual))
            {
                return (false, null, $"{metric} was not measured in this run");
            }

            var passed = double.IsFinite(actual) && op switch
            {
                ThresholdOperator.Equal => actual == limit,
                ThresholdOperator.NotEqual => actual != limit,
                ThresholdOperator.Less => actual < limit,
                ThresholdOperator.LessOrEqual => actual <= limit,
                ThresholdOperator.Greater => actual > limit,
                ThresholdOperator.GreaterOrEqual => actual >= limit,
                _ => false,
            };
            return (passed, actual, null);
        });
    }

    /// <summary>Any rule over the final values, named <paramref name="description"/>.</summary>
    public static Threshold Create(string description, Func<IReadOnlyDictionary<string, double>, bool> check)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentNullException.ThrowIfNull(check);
        return new Threshold(description, null, values => (check(values), null, null));
    }

    /// <summary>
    /// Parses <c>&lt;metric&gt; &lt;op&gt; &lt;number&gt;</c> with op one of <c>== != &lt; &lt;= &gt; &gt;=</c> and a plain decimal
    /// number; throws <see cref="FormatException"/> saying what is wrong otherwise.
    /// </summary>
    public static Threshold Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("empty threshold: write it as '<metric> <op> <number>', e.g. \"gift.lost == 0\"");
        }

        if (text.Length > MaxLength)
        {
            throw new FormatException($"threshold longer than {MaxLength} characters");
        }

        var match = Rule().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"'{Printable(text)}' is not '<metric> <op> <number>' (op: == != < <= > >=; metric: [a-z0-9_] words joined by dots), e.g. \"gift.p99 < 1000\"");
        }

        var op = match.Groups["op"].Value switch
        {
            "==" => ThresholdOperator.Equal,
            "!=" => ThresholdOperator.NotEqual,
            "<" => ThresholdOperator.Less,
            "<=" => ThresholdOperator.LessOrEqual,
            ">" => ThresholdOperator.Greater,
            _ => ThresholdOperator.GreaterOrEqual,
        };
        var limit = double.Parse(match.Groups["limit"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (!double.IsFinite(limit))
        {
            throw new FormatException($"'{Printable(text)}': the limit is out of range");
        }

        return Create(match.Groups["metric"].Value, op, limit);
    }

    /// <summary>Checks the rule on <paramref name="values"/>.</summary>
    public ThresholdResult Check(IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var (passed, actual, why) = _check(values);
        return new ThresholdResult(Description, passed, actual, why);
    }

    /// <summary>The rule as written.</summary>
    public override string ToString() => Description;

    private static string Symbol(ThresholdOperator op) => op switch
    {
        ThresholdOperator.Equal => "==",
        ThresholdOperator.NotEqual => "!=",
        ThresholdOperator.Less => "<",
        ThresholdOperator.LessOrEqual => "<=",
        ThresholdOperator.Greater => ">",
        _ => ">=",
    };

    // Control characters from a hostile argument are not echoed to the terminal.
    private static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).ToArray());

    // The number: an optional sign, at most 15 digits, an optional fraction (no exponent, no NaN/Infinity).
    [GeneratedRegex(@"^\s*(?<metric>[a-z0-9_]+(\.[a-z0-9_]+)*)\s*(?<op>==|!=|<=|>=|<|>)\s*(?<limit>[-+]?[0-9]{1,15}(\.[0-9]{1,9})?)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Rule();
}
