using System.Collections.Concurrent;

namespace LiveIm.LoadTest.Runner;

/// <summary>One step's counts (ok, failed by error code), bytes and latency; written by every iteration at once.</summary>
public sealed class StepStats
{
    /// <summary>Most distinct error codes kept per step; later ones count as "other_codes" (a server answering
    /// garbage must not grow the report without bound).</summary>
    public const int MaxCodes = 32;

    private readonly ConcurrentDictionary<string, long> _failures = new(StringComparer.Ordinal);
    private long _ok;
    private long _bytes;
    private string? _lastError;

    public StepStats(string scenario, string name)
    {
        Scenario = scenario;
        Name = name;
    }

    /// <summary>The scenario the step belongs to.</summary>
    public string Scenario { get; }

    /// <summary>The step's name: the prefix of its values (<c>join.ok</c>, <c>join.p99</c>, …).</summary>
    public string Name { get; }

    /// <summary>Latency from each step's due time to its end.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Successes so far.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Bytes so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Failures so far by code.</summary>
    public IReadOnlyDictionary<string, long> Failures => new Dictionary<string, long>(_failures, StringComparer.Ordinal);

    /// <summary>All failures so far.</summary>
    public long Failed => _failures.Values.Sum();

    /// <summary>The last failure's message.</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>Counts one response and its latency.</summary>
    public void Record(Response response, long startTimestamp, long endTimestamp)
    {
        ArgumentNullException.ThrowIfNull(response);
        Latency.Record(startTimestamp, endTimestamp);
        Interlocked.Add(ref _bytes, response.SizeBytes);
        if (response.IsOk)
        {
            Interlocked.Increment(ref _ok);
            return;
        }

        var code = response.ErrorCode ?? "error";
        if (!_failures.ContainsKey(code) && _failures.Count >= MaxCodes)
        {
            code = "other_codes";
        }

        _failures.AddOrUpdate(code, 1, (_, n) => n + 1);
        Volatile.Write(ref _lastError, $"{code}: {response.Message}");
    }
}
