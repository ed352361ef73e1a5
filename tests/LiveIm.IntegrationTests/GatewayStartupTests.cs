using LiveIm.RoomGateway;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The gateway refuses to start on bad configuration: <c>Admin:Token</c> under the secrets rule (its admin endpoint,
/// <c>POST /admin/drain</c>, can take it out of service), and the drain's and load report's settings out of range.
/// </summary>
public sealed class GatewayStartupTests
{
    private static readonly string ContentRoot = Directory.CreateTempSubdirectory("liveim-gw-startup").FullName;

    private static WebApplicationBuilder Builder(string environment, string? adminToken, params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = ContentRoot });
        builder.Logging.AddTestLogFile(nameof(GatewayStartupTests));
        var values = new Dictionary<string, string?> { ["Auth:SigningKey"] = LiveImCluster.SigningKey, ["Admin:Token"] = adminToken };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(values);
        return builder;
    }

    [Theory]
    [InlineData(null, "Missing setting 'Admin:Token' (environment variable Admin__Token): the bearer token of the gateway's admin endpoint")]
    [InlineData("fifteen-chars-x", "Setting 'Admin:Token' is shorter than 16 characters")]
    [InlineData("liveim-DEVELOPMENT-ONLY-admin-token", "Setting 'Admin:Token' holds the development token")]
    public void The_gateway_refuses_to_start_outside_Development_without_a_real_admin_token(string? token, string expected)
    {
        Assert.Contains(expected, StartupChecks.Refusal(Builder("Production", token).AddRoomGateway()), StringComparison.Ordinal);
    }

    [Fact]
    public void In_Development_the_gateway_starts_with_the_marked_development_token()
    {
        using var app = (IDisposable)StartupChecks.Passes(Builder("Development", null).AddRoomGateway());
    }

    [Theory]
    [InlineData("Drain:SpreadSeconds", "-1", "Drain:SpreadSeconds must be between 0 and 3600")]
    [InlineData("Drain:DeadlineSeconds", "10", "Drain:DeadlineSeconds must be at least Drain:SpreadSeconds")]
    [InlineData("Gateway:Weight", "0", "Gateway:Weight must be > 0")]
    [InlineData("Registry:TtlMs", "3000", "Registry:TtlMs must be at least twice Registry:IntervalMs")]
    public void Drain_and_load_report_settings_out_of_range_stop_the_gateway(string key, string value, string expected)
    {
        Assert.Contains(expected, StartupChecks.Refusal(Builder("Production", "sixteen-chars-xy", (key, value)).AddRoomGateway()), StringComparison.Ordinal);
    }
}
