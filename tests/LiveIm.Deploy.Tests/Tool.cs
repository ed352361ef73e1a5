using System.Diagnostics;
using LiveIm.Testing;

namespace LiveIm.Deploy.Tests;

/// <summary>Runs a command-line tool (docker-compose, promtool, kubectl) to completion and keeps what it printed.</summary>
internal sealed record Tool(int ExitCode, string Output, string Error)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string All => Output + "\n" + Error;

    /// <summary>
    /// Runs <paramref name="name"/> (found like the test servers: PATH or the Debian locations; a missing tool fails
    /// with the package to install) in <paramref name="workingDirectory"/> with only the given environment changes.
    /// </summary>
    public static async Task<Tool> RunAsync(
        string name, string debianPackage, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(ServerBinary.Find(name, debianPackage)) { WorkingDirectory = workingDirectory ?? Repo.Root };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                psi.Environment.Remove(key);
            }
            else
            {
                psi.Environment[key] = value;
            }
        }

        var run = await FinishedProcess.RunAsync(psi, timeout ?? TimeSpan.FromSeconds(60), _ => $"{name} {string.Join(' ', args)} did not finish in time");
        return new Tool(run.ExitCode, run.Output, run.Error);
    }
}
