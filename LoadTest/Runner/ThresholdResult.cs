using System.Globalization;

namespace LiveIm.LoadTest.Runner;

/// <summary>How one threshold came out.</summary>
/// <param name="Description">The rule as written.</param>
/// <param name="Passed">True when it held.</param>
/// <param name="Actual">The measured value it compared, when it reads one metric.</param>
/// <param name="Why">Why it could not be checked (the metric was not measured), else null.</param>
public sealed record ThresholdResult(string Description, bool Passed, double? Actual, string? Why)
{
    /// <summary>"PASS gift.lost == 0 (actual 0)" or "FAIL gift.p99 &lt; 1000 (actual 1234.5)".</summary>
    public override string ToString()
    {
        var actual = Why ?? (Actual is { } a ? string.Create(CultureInfo.InvariantCulture, $"actual {a:0.###}") : null);
        return $"{(Passed ? "PASS" : "FAIL")} {Description}{(actual is null ? string.Empty : $" ({actual})")}";
    }
}
