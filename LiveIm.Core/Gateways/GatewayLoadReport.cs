namespace LiveIm.Core.Gateways;

/// <summary>
/// What a gateway tells the assignment endpoint about itself, every few seconds, through <see cref="IGatewayRegistry"/>
/// with a time-to-live: a gateway that dies disappears by itself. Which rooms a gateway is in comes from the presence
/// reports.
/// </summary>
/// <param name="Id">The gateway's id (<c>Gateway:Id</c>).</param>
/// <param name="Url">Where clients reach it (<c>Gateway:PublicUrl</c>): the base URL, the hub is at <c>/hubs/room</c> below it.</param>
/// <param name="Connections">Open hub connections.</param>
/// <param name="Cpu">The process's share of the machine's CPU over the last interval, 0..1.</param>
/// <param name="DeliveriesPerSecond">Events handed to connections per second over the last interval.</param>
/// <param name="Draining">True once the gateway drains: it takes no new connections.</param>
/// <param name="Weight">Capacity weight (<c>Gateway:Weight</c>): a gateway of weight 2 is given twice the connections.</param>
/// <param name="ReportedAt">When the report was made, ms since the Unix epoch.</param>
public sealed record GatewayLoadReport(
    string Id,
    string Url,
    int Connections,
    double Cpu,
    double DeliveriesPerSecond,
    bool Draining,
    double Weight,
    long ReportedAt);
