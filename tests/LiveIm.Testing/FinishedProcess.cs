using System.Diagnostics;

namespace LiveIm.Testing;

/// <summary>A process run to its end (a tool, a script, a service that must refuse to start), with what it printed.</summary>
public sealed record FinishedProcess(int ExitCode, string Output, string Error)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string All => Output + "\n" + Error;

    /// <summary>
    /// Starts <paramref name="start"/> with both streams read, waits at most <paramref name="timeout"/> for it to end,
    /// and on timeout kills its whole tree and throws a <see cref="TimeoutException"/> with
    /// <paramref name="timeoutMessage"/> of what it had printed (stdout, then stderr).
    /// </summary>
    public static async Task<FinishedProcess> RunAsync(ProcessStartInfo start, TimeSpan timeout, Func<string, string> timeoutMessage)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(timeoutMessage);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(timeoutMessage(await output + await error));
        }

        return new FinishedProcess(process.ExitCode, await output, await error);
    }
}
