namespace LiveIm.RoomGateway;

/// <summary>This gateway's id (setting <c>Gateway:Id</c>; default host name + random suffix): the name of its presence reports.</summary>
public sealed record GatewayIdentity(string Id)
{
    /// <summary>Reads <c>Gateway:Id</c> or makes one up.</summary>
    public static GatewayIdentity From(IConfiguration configuration) =>
        new(configuration["Gateway:Id"] is { Length: > 0 } id ? id : $"gw-{Environment.MachineName}-{Guid.NewGuid().ToString("N")[..12]}");
}
