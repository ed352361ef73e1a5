using LiveIm.Hosting.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>What <see cref="LiveImHost"/> checks before a process starts, run on a builder in the test.</summary>
public static class StartupChecks
{
    /// <summary>Builds the host and runs its start-up checks (every ValidateOnStart option); the refusal's message.</summary>
    public static string Refusal(WebApplicationBuilder builder)
    {
        // Options the host itself reads (HostOptions from the drain's deadline) are checked while it is built.
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            var app = builder.Build();
            using var disposable = (IDisposable)app;
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        });
        return LiveImHost.Refusal(error) ?? throw new Xunit.Sdk.XunitException("not a settings refusal: " + error);
    }

    /// <summary>Builds the host and runs its start-up checks, which must pass.</summary>
    public static WebApplication Passes(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.Services.GetRequiredService<IStartupValidator>().Validate();
        return app;
    }
}
