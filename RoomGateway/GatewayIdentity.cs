namespace LiveIm.RoomGateway;

/// <summary>
/// This gateway's id (setting <c>Gateway:Id</c>; default host name + random suffix): the name of its presence and load
/// reports and of its NATS connection (<c>gateway:&lt;id&gt;</c>).
/// </summary>
public sealed class GatewayIdentity
{
    /// <summary>The configuration section (shared with <see cref="Registry.LoadReportOptions"/>' public URL and weight).</summary>
    public const string Section = "Gateway";

    /// <summary>The id; made up at start-up when not configured.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>An id for a gateway that was given none: unique per process, recognisable by host.</summary>
    public static string MadeUp() => $"gw-{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..12]}";
}
