using LiveIm.Hosting.Admin;
using LiveIm.RoomService;
using LiveIm.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// RoomService refuses to start on bad configuration: the secrets rule for <c>Admin:Token</c> (outside Development,
/// no real token, no RoomService) and the range of <c>Chat:BudgetPerSecond</c>.
/// </summary>
public sealed class RoomServiceStartupTests
{
    private static readonly string ContentRoot = Directory.CreateTempSubdirectory("liveim-startup").FullName;

    [Theory]
    [InlineData(null, "Missing setting 'Admin:Token' (environment variable Admin__Token)")]
    [InlineData("   ", "Missing setting 'Admin:Token' (environment variable Admin__Token)")]
    [InlineData("fifteen-chars-x", "Setting 'Admin:Token' is shorter than 16 characters")]
    [InlineData(AdminSettings.DevelopmentToken, "Setting 'Admin:Token' holds the development token")]
    public void RoomService_refuses_to_start_outside_Development_without_a_real_admin_token(string? token, string expected)
    {
        foreach (var environment in new[] { "Production", "Staging", "IntegrationTest" })
        {
            var builder = Builder(environment, token);
            builder.AddRoomService();
            Assert.Contains(expected, StartupChecks.Refusal(builder), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void In_Development_RoomService_starts_with_the_marked_development_token()
    {
        var builder = Builder("Development", null);
        builder.AddRoomService();
        using var app = (IDisposable)StartupChecks.Passes(builder);
        var settings = ((WebApplication)app).Services.GetRequiredService<AdminSettings>();
        Assert.Equal(AdminSettings.DevelopmentToken, settings.Token);
        Assert.True(settings.IsDevelopmentToken);
    }

    [Fact]
    public void Outside_Development_a_real_token_of_16_characters_is_accepted()
    {
        var builder = Builder("Production", "sixteen-chars-xy");
        builder.AddRoomService();
        using var app = (IDisposable)StartupChecks.Passes(builder);
        Assert.Equal("sixteen-chars-xy", ((WebApplication)app).Services.GetRequiredService<AdminSettings>().Token);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("10001")]
    public async Task A_default_chat_budget_out_of_range_stops_RoomService_at_start(string budget)
    {
        var builder = Builder("Production", "sixteen-chars-xy", ("Chat:BudgetPerSecond", budget), ("Urls", "http://127.0.0.1:0"));
        builder.AddRoomService();
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Chat:BudgetPerSecond", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Limits:UserChatPerSecond", "-1")]
    [InlineData("Limits:UserGiftPerSecond", "1e9")]
    [InlineData("Limits:RoomGiftsPerSecond", "NaN")]
    [InlineData("Limits:UserChatBurst", "0")]
    [InlineData("Limits:RoomGiftBurst", "1000000")]
    public async Task A_shared_limit_out_of_range_stops_RoomService_at_start(string key, string value)
    {
        var builder = Builder("Production", "sixteen-chars-xy", (key, value), ("Urls", "http://127.0.0.1:0"));
        builder.AddRoomService();
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Limits:", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Missing setting 'Service:Token' (environment variable Service__Token)")]
    [InlineData("fifteen-chars-x", "Setting 'Service:Token' is shorter than 16 characters")]
    [InlineData(LiveIm.RoomService.StreamClock.ServiceSettings.DevelopmentToken, "Setting 'Service:Token' holds the development token")]
    public void RoomService_refuses_to_start_outside_Development_without_a_real_service_token(string? token, string expected)
    {
        foreach (var environment in new[] { "Production", "Staging", "IntegrationTest" })
        {
            var builder = Builder(environment, "sixteen-chars-xy", ("Service:Token", token!));
            builder.AddRoomService();
            Assert.Contains(expected, StartupChecks.Refusal(builder), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void In_Development_RoomService_starts_with_the_marked_development_service_token()
    {
        var builder = Builder("Development", null, ("Service:Token", null!));
        builder.AddRoomService();
        using var app = (IDisposable)StartupChecks.Passes(builder);
        var settings = ((WebApplication)app).Services.GetRequiredService<LiveIm.RoomService.StreamClock.ServiceSettings>();
        Assert.Equal(LiveIm.RoomService.StreamClock.ServiceSettings.DevelopmentToken, settings.Token);
        Assert.True(settings.IsDevelopmentToken);
    }

    [Theory]
    [InlineData("StreamClock:Window", "00:00:00.500")]
    [InlineData("StreamClock:DiscontinuityMs", "50")]
    [InlineData("StreamClock:StaleAfter", "2.00:00:00")]
    [InlineData("StreamClock:MaxStreamMs", "4294967296")]
    [InlineData("Replay:MaxCount", "0")]
    [InlineData("Replay:MaxAge", "00:00:30")]
    public async Task A_stream_clock_or_replay_setting_out_of_range_stops_RoomService_at_start(string key, string value)
    {
        var builder = Builder("Production", "sixteen-chars-xy", (key, value), ("Urls", "http://127.0.0.1:0"));
        builder.AddRoomService();
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Redis:Configuration", "bogus=1", "Redis:Configuration is not a valid Redis configuration: Keyword 'bogus' is not supported")]
    [InlineData("Redis:Configuration", "127.0.0.1:notaport", "Redis:Configuration names no Redis endpoint")]
    [InlineData("Redis:Configuration", "127.0.0.1:6379,ssl=maybe", "Redis:Configuration is not a valid Redis configuration")]
    [InlineData("Redis:EndPoint", "=", "Redis:EndPoint names an endpoint whose host '=' is not a host name or address")]
    [InlineData("Redis:TimeoutMs", "0", "Redis:TimeoutMs must be 50..60000")]
    public async Task A_malformed_redis_setting_stops_RoomService_at_start_with_the_setting_named(string key, string value, string expected)
    {
        var builder = Builder("Production", "sixteen-chars-xy", (key, value), ("Urls", "http://127.0.0.1:0"));
        builder.AddRoomService();
        await using var app = builder.Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static WebApplicationBuilder Builder(string environment, string? adminToken, params (string Key, string Value)[] more)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ContentRootPath = ContentRoot });
        builder.Logging.AddTestLogFile(nameof(RoomServiceStartupTests));
        var settings = new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = LiveImCluster.SigningKey, ["Service:Token"] = LiveImCluster.ServiceToken,
        };
        if (adminToken is not null)
        {
            settings["Admin:Token"] = adminToken;
        }

        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }
}
