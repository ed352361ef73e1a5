namespace LiveIm.RoomService.Limits;

/// <summary>A GCRA budget: a sustained rate and how many sends may come at once (docs/operations.md, "Limits").</summary>
/// <param name="PerSecond">Sends per second sustained; 0 = no limit.</param>
/// <param name="Burst">Sends allowed at once after a quiet spell (at least 1).</param>
public readonly record struct RateLimit(double PerSecond, int Burst)
{
    /// <summary>True when the limit is switched off (rate 0).</summary>
    public bool IsOff => PerSecond <= 0;

    /// <summary>Ms between two sends at the sustained rate (the GCRA emission interval); 0 when off.</summary>
    public double IntervalMs => IsOff ? 0 : 1000.0 / PerSecond;
}
