using System.Diagnostics;
using LiveIm.LoadTest.Targets;

namespace LiveIm.LoadTest.Service;

/// <summary>A checkout under test: where it is, which commit, and the build its processes start from.</summary>
/// <param name="Root">The checkout (null: the one LoadTest was built in).</param>
/// <param name="Commit">Its short commit id, with <c>+changes</c> when the work tree differs from it; <c>unknown</c> without git.</param>
/// <param name="RoomServiceDll">The RoomService build that runs.</param>
/// <param name="GatewayDll">The RoomGateway build that runs.</param>
public sealed record SystemInfo(string? Root, string Commit, string RoomServiceDll, string GatewayDll)
{
    /// <summary>How the report names it.</summary>
    public string Label => Commit;

    /// <summary>Finds the builds (throws <see cref="FileNotFoundException"/> with a build hint when one is missing) and the commit.</summary>
    public static async Task<SystemInfo> DescribeAsync(string? root)
    {
        var roomService = RepoLayout.ProjectDll("RoomService", root);
        var gateway = RepoLayout.ProjectDll("RoomGateway", root);
        var dir = root ?? RepoLayout.Root;
        var commit = await GitAsync(dir, "rev-parse", "--short=10", "HEAD").ConfigureAwait(false);
        var changes = await GitAsync(dir, "status", "--porcelain", "--untracked-files=no").ConfigureAwait(false);
        var label = commit is { Length: > 0 } ? commit + (changes is { Length: > 0 } ? "+changes" : string.Empty) : "unknown";
        return new SystemInfo(root, label, roomService, gateway);
    }

    private static async Task<string?> GitAsync(string dir, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-C");
            psi.ArgumentList.Add(dir);
            foreach (var arg in args)
            {
                psi.ArgumentList.Add(arg);
            }

            using var process = Process.Start(psi);
            if (process is null)
            {
                return null;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return null;
        }
    }
}
