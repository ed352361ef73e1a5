using LiveIm.Hosting.Configuration;
using LiveIm.Hosting.Presence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

public sealed class PresenceOptionsTests
{
    private static PresenceOptions Read(string? interval)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(interval is null ? [] : new Dictionary<string, string?> { ["Presence:IntervalSeconds"] = interval }).Build());
        services.AddLiveImOptions<PresenceOptions>(PresenceOptions.Section, PresenceOptions.Check);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<PresenceOptions>();
    }

    [Fact]
    public void The_default_is_a_report_every_2_s_counting_for_10_s()
    {
        var options = Read(null);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Interval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Ttl);
    }

    [Theory]
    [InlineData("1", 5)]
    [InlineData("10", 50)]
    public void The_ttl_is_five_intervals(string interval, int ttlSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(ttlSeconds), Read(interval).Ttl);

    [Theory]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("-2")]
    public void An_interval_outside_1_to_10_seconds_stops_start_up(string interval)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(interval));
        Assert.Contains("Presence:IntervalSeconds must be 1..10", error.Message, StringComparison.Ordinal);
    }
}
