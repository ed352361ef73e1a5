using System.Diagnostics;
using LiveIm.Hosting.Configuration;
using LiveIm.RoomGateway;
using LiveIm.RoomService;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// The built services, started as deployed (<c>dotnet RoomService.dll</c>, settings from the environment), refuse bad
/// settings and secrets with one line on stderr naming the setting, no stack trace, and exit code 78 (EX_CONFIG).
/// </summary>
public sealed class StartupRefusalTests
{
    private static readonly Dictionary<string, string> Good = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Auth__SigningKey"] = LiveImCluster.SigningKey,
        ["Admin__Token"] = LiveImCluster.AdminToken,
        ["Service__Token"] = LiveImCluster.ServiceToken,
        ["Nats__Url"] = "nats://127.0.0.1:1", // never reached: the refusals come first
        ["Redis__EndPoint"] = "127.0.0.1:1",
        ["Urls"] = "http://127.0.0.1:0",
    };

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string dll, params (string Key, string? Value)[] settings)
    {
        var psi = new ProcessStartInfo("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var (key, value) in Good)
        {
            psi.Environment[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            psi.Environment[key] = value;
        }

        var run = await FinishedProcess.RunAsync(psi, TimeSpan.FromSeconds(60),
            printed => $"{Path.GetFileName(dll)} did not exit: it started despite the bad settings\n{printed}");
        return (run.ExitCode, run.Output, run.Error);
    }

    private static void AssertRefused((int ExitCode, string Stdout, string Stderr) run, string service, string expected)
    {
        Assert.True(run.ExitCode == LiveImHost.RefusedExitCode, $"exit code {run.ExitCode}\nstderr: {run.Stderr}\nstdout: {run.Stdout}");
        Assert.StartsWith($"{service}: refused to start: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(expected, run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal); // no stack trace anywhere
        Assert.DoesNotContain("Unhandled exception", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    private static string RoomServiceDll => typeof(RoomServiceSetup).Assembly.Location;

    private static string GatewayDll => typeof(GatewaySetup).Assembly.Location;

    [Theory]
    [InlineData("Auth__SigningKey", null, "Missing setting 'Auth:SigningKey' (environment variable Auth__SigningKey)")]
    [InlineData("Service__Token", "liveim-DEVELOPMENT-ONLY-service-token", "Setting 'Service:Token' holds the development token")]
    [InlineData("DevTokens__Enabled", "true", "DevTokens:Enabled is true outside the Development environment")]
    [InlineData("Nats__Url", "nats://127.0.0.1:4222,,nats://x", "Nats:Url has an empty entry")]
    [InlineData("Nats__Url", "http://127.0.0.1:4222", "Nats:Url: 'http://127.0.0.1:4222' is not a NATS server URL")]
    [InlineData("Nats__CredsFile", "/nonexistent/user.creds", "Nats:CredsFile: file '/nonexistent/user.creds' does not exist")]
    [InlineData("Nats__RequestTimeout", "soon", "Nats:RequestTimeout")]
    [InlineData("Chat__BudgetPerSecond", "-1", "Chat:BudgetPerSecond must be between 0 (unlimited) and")]
    public async Task RoomService_started_with_a_bad_setting_exits_78_with_the_setting_named_on_stderr(string key, string? value, string expected)
    {
        AssertRefused(await RunAsync(RoomServiceDll, (key, value)), "RoomService", expected);
    }

    [Theory]
    [InlineData("Admin__Token", null, "Missing setting 'Admin:Token' (environment variable Admin__Token)")]
    [InlineData("Nats__Url", "nats://", "Nats:Url: 'nats://' is not a NATS server URL")]
    [InlineData("Nats__Tls__InsecureSkipVerify", "true", "Nats:Tls:InsecureSkipVerify accepts any server certificate")]
    [InlineData("Limits__ChatPerSecond", "-5", "Limits:ChatPerSecond")]
    public async Task The_gateway_started_with_a_bad_setting_exits_78_with_the_setting_named_on_stderr(string key, string? value, string expected)
    {
        AssertRefused(await RunAsync(GatewayDll, (key, value)), "RoomGateway", expected);
    }

    [Fact]
    public async Task A_creds_file_that_is_not_one_is_refused_before_anything_connects()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("liveim-creds").FullName, "user.creds");
        await File.WriteAllTextAsync(file, "-----BEGIN NATS USER JWT-----\nnot a jwt\n");
        AssertRefused(await RunAsync(GatewayDll, ("Nats__CredsFile", file)), "RoomGateway", $"Nats:CredsFile: '{file}' is not a NATS credentials file");
    }
}
