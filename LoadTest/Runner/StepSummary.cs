namespace LiveIm.LoadTest.Runner;

/// <summary>One step over the whole run.</summary>
/// <param name="Scenario">Its scenario.</param>
/// <param name="Name">The step.</param>
/// <param name="Ok">Successes.</param>
/// <param name="Failures">Failures by error code.</param>
/// <param name="Bytes">Bytes moved.</param>
/// <param name="Latency">Latency from due time, ms.</param>
/// <param name="LastError">The last failure's message.</param>
public sealed record StepSummary(string Scenario, string Name, long Ok, IReadOnlyDictionary<string, long> Failures, long Bytes, LatencyStats Latency, string? LastError)
{
    /// <summary>All failures.</summary>
    public long Failed => Failures.Values.Sum();

    /// <summary>Failures in % of all attempts (0 when there were none).</summary>
    public double FailPercent => Ok + Failed == 0 ? 0 : 100.0 * Failed / (Ok + Failed);
}
