namespace LiveIm.LoadTest.Fanout;

/// <summary>Everything measured in one step (one chat rate) of one target.</summary>
public sealed record StepResult
{
    /// <summary>Chat rate asked for, msg/s.</summary>
    public required double Rate { get; init; }

    /// <summary>Chat lines the schedule sent per second over the whole step (warm-up included).</summary>
    public required double SentRate { get; init; }

    /// <summary>Chat lines sent (attempted).</summary>
    public required long ChatSent { get; init; }

    /// <summary>Chat lines refused, failed or unanswered.</summary>
    public required long ChatFailed { get; init; }

    /// <summary>Gifts sent (attempted).</summary>
    public required long GiftsSent { get; init; }

    /// <summary>Gifts acknowledged: each must reach every receiver.</summary>
    public required long GiftsAcked { get; init; }

    /// <summary>Gifts refused, failed or unanswered.</summary>
    public required long GiftsFailed { get; init; }

    /// <summary>Length of the measured window, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Receivers live at the start of the step.</summary>
    public required int Receivers { get; init; }

    /// <summary>Deliveries (events received, one per recipient per event) per second in the window.</summary>
    public required double DeliveriesPerSecond { get; init; }

    /// <summary>Event frames received per second in the window (= frames the server wrote).</summary>
    public required double FramesPerSecond { get; init; }

    /// <summary>
    /// WebSocket payload bytes the receivers got in the window per delivery (per event received): what one event costs
    /// on the wire, framing included (null when nothing was delivered).
    /// </summary>
    public double? BytesPerDelivery { get; init; }

    /// <summary>The same bytes per <c>events</c> frame received (null when no frame arrived).</summary>
    public double? BytesPerFrame { get; init; }

    /// <summary>Chat latency.</summary>
    public required LatencySummary Chat { get; init; }

    /// <summary>Gift latency.</summary>
    public required LatencySummary Gift { get; init; }

    /// <summary>Both lanes.</summary>
    public required LatencySummary All { get; init; }

    /// <summary>Chat deliveries expected over the whole step: chat lines sent × receivers.</summary>
    public required long ChatExpected { get; init; }

    /// <summary>Chat deliveries that arrived (step start to end of drain).</summary>
    public required long ChatReceived { get; init; }

    /// <summary>Fewest acknowledged gifts one receiver got.</summary>
    public required long GiftMinReceived { get; init; }

    /// <summary>Acknowledged gifts received, summed over receivers.</summary>
    public required long GiftTotalReceived { get; init; }

    /// <summary>Receivers that missed at least one acknowledged gift.</summary>
    public required int ClientsMissingGifts { get; init; }

    /// <summary>Gifts delivered twice to the same receiver.</summary>
    public required long GiftDuplicates { get; init; }

    /// <summary>CPU of each target process in the window (the first is the fan-out process).</summary>
    public required IReadOnlyList<ProcessCpu> Cpu { get; init; }

    /// <summary>CPU of this load generator, % of one core, in the window.</summary>
    public required double ClientCpuPercent { get; init; }

    /// <summary>Whole machine busy, % of all cores, in the window.</summary>
    public required double MachineBusyPercent { get; init; }

    /// <summary>
    /// CPU of everything else on the machine (neither the target nor this load generator), % of one core, in the
    /// window: on a shared machine, the noise under the figures.
    /// </summary>
    public required double OtherCpuPercent { get; init; }

    /// <summary>RSS of the fan-out process at the end of the window, bytes.</summary>
    public required long? RssUnderLoad { get; init; }

    /// <summary>Server-side drops in the step ("n/a" when the server reports none).</summary>
    public required string ServerDrops { get; init; }

    /// <summary>Seconds from the end of sending until answers and deliveries settled.</summary>
    public required double DrainSeconds { get; init; }

    /// <summary>True when the drain hit its timeout.</summary>
    public required bool DrainTimedOut { get; init; }

    /// <summary>Why the step failed; null when it passed.</summary>
    public required string? FailReason { get; init; }

    /// <summary>The last send error a publisher saw.</summary>
    public string? LastSendError { get; init; }

    /// <summary>True when the step met every criterion.</summary>
    public bool Passed => FailReason is null;

    /// <summary>Chat deliveries that never arrived (client-side loss).</summary>
    public long ChatLost => Math.Max(0, ChatExpected - ChatReceived);

    /// <summary>Deliveries of acknowledged gifts that never arrived (client-side loss).</summary>
    public long GiftsLost => Math.Max(0, GiftsAcked * Receivers - GiftTotalReceived);

    /// <summary>Share of expected chat deliveries that arrived.</summary>
    public double ChatDelivered => ChatExpected == 0 ? 1 : (double)ChatReceived / ChatExpected;

    /// <summary>Fan-out process CPU seconds per million deliveries.</summary>
    public double? ServerCpuPerMillion => Cpu.Count > 0 ? Cpu[0].PerMillionDeliveries : null;

    /// <summary>All target processes' CPU seconds per million deliveries.</summary>
    public double? AllCpuPerMillion => Cpu.Count > 0 && Cpu[0].PerMillionDeliveries is not null
        ? Cpu.Sum(c => c.PerMillionDeliveries ?? 0)
        : null;
}
