using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LiveIm.LoadTest.Measurement;

/// <summary>The machine a report was measured on.</summary>
/// <param name="Cores">Logical cores.</param>
/// <param name="CpuModel">From /proc/cpuinfo.</param>
/// <param name="MemoryGiB">Total memory.</param>
/// <param name="Os">OS description.</param>
/// <param name="DotnetSdk">Output of <c>dotnet --version</c>.</param>
/// <param name="Runtime">The runtime this process runs on.</param>
/// <param name="OpenFilesLimit">Hard open-files limit of this process.</param>
public sealed record MachineFacts(int Cores, string CpuModel, double MemoryGiB, string Os, string DotnetSdk, string Runtime, long? OpenFilesLimit)
{
    /// <summary>Reads the facts (runs <c>dotnet --version</c>).</summary>
    public static async Task<MachineFacts> CollectAsync()
    {
        return new MachineFacts(
            Environment.ProcessorCount,
            ReadCpuModel(),
            ReadMemoryGiB(),
            RuntimeInformation.OSDescription,
            await DotnetVersionAsync().ConfigureAwait(false),
            RuntimeInformation.FrameworkDescription,
            ProcessStats.OpenFilesHardLimit());
    }

    private static string ReadCpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static double ReadMemoryGiB()
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            var kb = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            return kb is null ? 0 : long.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<string> DotnetVersionAsync()
    {
        try
        {
            var psi = new ProcessStartInfo(Targets.RepoLayout.DotnetHost, "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = Process.Start(psi);
            if (process is null)
            {
                return "unknown";
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token).ConfigureAwait(false);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return output.Trim() is { Length: > 0 } v ? v : "unknown";
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or OperationCanceledException or InvalidOperationException)
        {
            return "unknown";
        }
    }
}
