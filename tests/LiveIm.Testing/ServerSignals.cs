using System.Diagnostics;

namespace LiveIm.Testing;

/// <summary>
/// Freezing and thawing a server process (SIGSTOP, SIGCONT): a hang, not a crash. The process keeps its sockets, so
/// clients stay connected and see only silence, which is what a stalled or overloaded server looks like.
/// </summary>
public static class ServerSignals
{
    /// <summary>Stops the process in place (SIGSTOP).</summary>
    public static Task PauseAsync(this ServerProcess server) => SignalAsync(server, "STOP");

    /// <summary>Lets a paused process run again (SIGCONT).</summary>
    public static Task ResumeAsync(this ServerProcess server) => SignalAsync(server, "CONT");

    private static async Task SignalAsync(ServerProcess server, string signal)
    {
        var pid = server.ProcessId ?? throw new InvalidOperationException("the server is not running");
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} exited with {kill.ExitCode}");
        }
    }
}
