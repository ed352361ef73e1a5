namespace LiveIm.LoadTest.Clients;

/// <summary>How connecting and joining a target's receivers went.</summary>
/// <param name="Connected">Receivers joined.</param>
/// <param name="Failed">Receivers that failed every attempt.</param>
/// <param name="Retries">Attempts that failed and were retried.</param>
/// <param name="Seconds">Wall time from the first connect to the last join.</param>
/// <param name="LastError">The last failure's message, if any.</param>
public sealed record JoinStorm(int Connected, int Failed, int Retries, double Seconds, string? LastError)
{
    /// <summary>Joins per second over the storm.</summary>
    public double JoinsPerSecond => Seconds > 0 ? Connected / Seconds : 0;
}
