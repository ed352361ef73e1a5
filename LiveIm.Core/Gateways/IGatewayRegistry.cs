namespace LiveIm.Core.Gateways;

/// <summary>
/// Where gateways publish their load and RoomService's assignment reads it. A report counts for a time-to-live, so a
/// gateway that dies drops out by itself. Implemented on Redis by <c>LiveIm.Hosting.Redis.RedisGatewayRegistry</c>;
/// every method throws <see cref="Stores.StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IGatewayRegistry
{
    /// <summary>Writes <paramref name="report"/>, replacing the gateway's last one, counting for <paramref name="ttl"/>.</summary>
    Task ReportAsync(GatewayLoadReport report, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Every report that has not expired at <paramref name="nowMs"/> (a report that cannot be read is left out).</summary>
    Task<IReadOnlyList<GatewayLoadReport>> FreshReportsAsync(long nowMs, CancellationToken cancellationToken);
}
