using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LiveIm.Testing;
using Xunit;

namespace LiveIm.IntegrationTests;

/// <summary>
/// <c>./run.sh</c> checks every port before it builds or starts anything: a port that is taken stops it at once with
/// the port, what holds it and the variable to change. (Its start-up and stop paths build and run the whole system,
/// which is too slow for the suite; docs/operations.md shows what they print.)
/// </summary>
public sealed class RunScriptTests
{
    [Fact]
    public async Task Run_sh_stops_before_starting_anything_when_a_port_is_taken_and_names_the_holder_and_the_variable()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = ((IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await RunAsync(new Dictionary<string, string>
        {
            ["NATS_PORT"] = Free(),
            ["NATS_MONITOR_PORT"] = Free(),
            ["REDIS_PORT"] = taken.ToString(CultureInfo.InvariantCulture),
            ["ROOMSERVICE_PORT"] = Free(),
            ["GATEWAY1_PORT"] = Free(),
            ["GATEWAY2_PORT"] = Free(),
        });

        Assert.Equal(1, exitCode);
        Assert.Contains($"port {taken} (Redis) is in use by ", output, StringComparison.Ordinal);
        Assert.Contains($"REDIS_PORT={taken + 1} ./run.sh", output, StringComparison.Ordinal);
        if (File.Exists("/usr/bin/ss") || File.Exists("/bin/ss"))
        {
            Assert.Contains($"(pid {Environment.ProcessId})", output, StringComparison.Ordinal); // this test holds it
        }

        Assert.DoesNotContain("building", output, StringComparison.Ordinal); // stopped before the build
    }

    [Fact]
    public async Task Run_sh_refuses_two_processes_on_one_port_and_a_port_that_is_not_a_number()
    {
        var same = Free();
        var (code, output) = await RunAsync(new Dictionary<string, string>
        {
            ["NATS_PORT"] = Free(), ["NATS_MONITOR_PORT"] = Free(), ["REDIS_PORT"] = Free(),
            ["ROOMSERVICE_PORT"] = same, ["GATEWAY1_PORT"] = same, ["GATEWAY2_PORT"] = Free(),
        });
        Assert.Equal(1, code);
        Assert.Contains($"GATEWAY1_PORT and ROOMSERVICE_PORT are both {same}", output, StringComparison.Ordinal);

        (code, output) = await RunAsync(new Dictionary<string, string> { ["NATS_PORT"] = "nats" });
        Assert.Equal(1, code);
        Assert.Contains("NATS_PORT=nats is not a port number", output, StringComparison.Ordinal);
    }

    private static string Free() => FreePort.Next().ToString(CultureInfo.InvariantCulture);

    private static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = ServiceProcess.RepositoryRoot };
        psi.ArgumentList.Add("run.sh");
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var run = await FinishedProcess.RunAsync(psi, TimeSpan.FromSeconds(60),
            printed => "run.sh did not stop within 60 s: it went past the port check. Output:\n" + printed);
        return (run.ExitCode, run.Output + run.Error);
    }
}
