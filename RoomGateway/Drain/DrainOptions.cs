namespace LiveIm.RoomGateway.Drain;

/// <summary>
/// Settings of a graceful drain (section <c>Drain</c>; docs/operations.md, "Graceful drain"). A bad value stops the
/// gateway at start-up (<see cref="Check"/>).
/// </summary>
public sealed class DrainOptions
{
    /// <summary>
    /// The <c>reconnect</c> delays are spread uniformly over this many seconds. 30 s: a full gateway (20,000
    /// connections) then sends about 670 reconnects a second to the others, a third of one gateway's join admission
    /// (2,000/s), so the gateways that take them in never refuse a join for it.
    /// </summary>
    public double SpreadSeconds { get; set; } = 30;

    /// <summary>
    /// Seconds after the drain started when the connections still open are closed (close message
    /// <c>unavailable: ...</c>, reconnect allowed). 45 s: the spread plus 15 s for the last clients to connect
    /// elsewhere and resume.
    /// </summary>
    public double DeadlineSeconds { get; set; } = 45;

    /// <summary>The <c>Retry-After</c> of a connection refused while draining (the client should ask for another gateway instead).</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Drain on SIGTERM (the host's ApplicationStopping) before the process stops. On by default.</summary>
    public bool OnShutdown { get; set; } = true;

    /// <summary>The configuration section.</summary>
    public const string Section = "Drain";

    /// <summary>Throws naming the setting when a value is out of range.</summary>
    public static void Check(DrainOptions options)
    {
        if (options.SpreadSeconds is < 0 or > 3600)
        {
            throw new InvalidOperationException("Drain:SpreadSeconds must be between 0 and 3600");
        }

        if (options.DeadlineSeconds < options.SpreadSeconds || options.DeadlineSeconds > 7200)
        {
            throw new InvalidOperationException("Drain:DeadlineSeconds must be at least Drain:SpreadSeconds and at most 7200");
        }

        if (options.RetryAfterSeconds is < 1 or > 3600)
        {
            throw new InvalidOperationException("Drain:RetryAfterSeconds must be between 1 and 3600");
        }
    }
}
