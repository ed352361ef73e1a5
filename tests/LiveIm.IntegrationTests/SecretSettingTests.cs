using LiveIm.Hosting.Auth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>The signing key under the project's secret rule (the admin token's cases are in RoomServiceStartupTests).</summary>
public sealed class SecretSettingTests
{
    [Theory]
    [InlineData(null, "Missing setting 'Auth:SigningKey' (environment variable Auth__SigningKey)")]
    [InlineData("", "Missing setting 'Auth:SigningKey' (environment variable Auth__SigningKey)")]
    [InlineData("short-key", "Setting 'Auth:SigningKey' is shorter than 32 bytes")]
    [InlineData(AuthSettings.DevelopmentSigningKey, "Setting 'Auth:SigningKey' holds the development key")]
    public void Outside_development_a_missing_short_or_development_key_stops_the_process(string? key, string expected)
    {
        foreach (var environment in new[] { "Production", "Staging", "IntegrationTest" })
        {
            var error = Assert.Throws<OptionsValidationException>(() => Resolve(Config(key), new Env(environment)));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Development_falls_back_to_the_marked_development_key()
    {
        var settings = Resolve(Config(null), new Env(Environments.Development));
        Assert.True(settings.IsDevelopmentKey);
    }

    [Fact]
    public void A_real_key_is_used_everywhere()
    {
        const string key = "a-real-signing-key-of-at-least-32-bytes!";
        Assert.Equal(key, Resolve(Config(key), new Env(Environments.Production)).SigningKey);
        Assert.Equal(key, Resolve(Config(key), new Env(Environments.Development)).SigningKey);
    }

    // Auth:SigningKey bound and checked as the services do (SecretSetting.AddSecret).
    private static AuthSettings Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        services.AddSingleton(environment);
        services.AddSecret<AuthSettings>(AuthSettings.Rule, o => o.SigningKey, (o, key) => o.SigningKey = key);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<AuthSettings>();
    }

    private static IConfiguration Config(string? key) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = key }).Build();

    private sealed class Env(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "test";

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
