using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The cluster with low per-connection limits (chat 2/s burst 3, frames up to 4 KB); the flood and calls-in-flight
/// settings keep their defaults, so the tests show the defaults' behaviour. Gateway-wide caps stay at their defaults
/// here (every in-process client comes from 127.0.0.1); <see cref="GatewayDoorCluster"/> tests those.
/// </summary>
public sealed class LimitsCluster : LiveImCluster
{
    public LimitsCluster()
        : base(new Dictionary<string, string?>
        {
            ["Limits:ChatPerSecond"] = "2",
            ["Limits:ChatBurst"] = "3",
            ["Limits:MaxMessageBytes"] = "4096",
        })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class LimitsCollection : ICollectionFixture<LimitsCluster>
{
    public const string Name = "limits";
}

/// <summary>
/// The cluster with tiny gateway-wide limits: 8 connections per gateway, 4 per IP address, 1 join/s (burst 2)
/// admitted per gateway. Each test uses its own gateway, and the clients act as several IP addresses by binding
/// 127.0.0.x source addresses (<see cref="AddressedHubSocket"/>).
/// </summary>
public sealed class GatewayDoorCluster : LiveImCluster
{
    public const int MaxConnections = 8;
    public const int MaxConnectionsPerIp = 4;

    public GatewayDoorCluster()
        : base(new Dictionary<string, string?>
        {
            ["Limits:MaxConnections"] = MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits:MaxConnectionsPerIp"] = MaxConnectionsPerIp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Limits:JoinsPerSecond"] = "1",
            ["Limits:JoinsBurst"] = "2",
            ["Limits:ConnectRetryAfterMs"] = "200",
        })
    {
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayDoorCollection : ICollectionFixture<GatewayDoorCluster>
{
    public const string Name = "limits-door";
}
