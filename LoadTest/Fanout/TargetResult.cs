using LiveIm.LoadTest.Clients;

namespace LiveIm.LoadTest.Fanout;

/// <summary>One target's run: the join storm, memory, every step and the capacity found.</summary>
public sealed record TargetResult
{
    /// <summary>Which target.</summary>
    public required TargetKind Kind { get; init; }

    /// <summary>What it is.</summary>
    public required string Description { get; init; }

    /// <summary>The join storm; null when the target never got that far.</summary>
    public JoinStorm? Join { get; init; }

    /// <summary>Receivers that traced latency.</summary>
    public int Tracers { get; init; }

    /// <summary>Fan-out process RSS before the receivers connected, bytes.</summary>
    public long? RssBefore { get; init; }

    /// <summary>Fan-out process RSS with every receiver connected and idle, bytes.</summary>
    public long? RssIdle { get; init; }

    /// <summary>Steps in the order they ran.</summary>
    public IReadOnlyList<StepResult> Steps { get; init; } = [];

    /// <summary>True when a capacity search ran.</summary>
    public bool Searched { get; init; }

    /// <summary>Highest passing chat rate (0 when none passed); null without a search.</summary>
    public double? Capacity { get; init; }

    /// <summary>True when even --max-rate passed (the capacity is at least that).</summary>
    public bool CapacityAtLeast { get; init; }

    /// <summary>Receivers whose connection ended during the run, and one reason.</summary>
    public int ReceiversLost { get; init; }

    /// <summary>One of the lost receivers' reasons.</summary>
    public string? LossReason { get; init; }

    /// <summary>Why the target could not be measured (start-up, readiness); null when it ran.</summary>
    public string? Error { get; init; }

    /// <summary>The step at the capacity rate (the highest passing one).</summary>
    public StepResult? CapacityStep => Capacity is { } c && c > 0 ? Steps.LastOrDefault(s => s.Passed && s.Rate == c) : null;

    /// <summary>Most frames/s seen in any step (frames at saturation).</summary>
    public double MaxFramesPerSecond => Steps.Count == 0 ? 0 : Steps.Max(s => s.FramesPerSecond);

    /// <summary>Most deliveries/s seen in any step.</summary>
    public double MaxDeliveriesPerSecond => Steps.Count == 0 ? 0 : Steps.Max(s => s.DeliveriesPerSecond);

    /// <summary>Fan-out process RSS growth per connected receiver, idle, bytes.</summary>
    public double? BytesPerIdleConnection => RssBefore is { } b && RssIdle is { } i && Join is { Connected: > 0 } j ? (double)(i - b) / j.Connected : null;

    /// <summary>Fan-out process RSS growth per receiver at the highest RSS seen under load, bytes.</summary>
    public double? BytesPerConnectionUnderLoad
    {
        get
        {
            var peak = Steps.Select(s => s.RssUnderLoad ?? 0).DefaultIfEmpty(0).Max();
            return RssBefore is { } b && peak > 0 && Join is { Connected: > 0 } j ? (double)(peak - b) / j.Connected : null;
        }
    }
}
