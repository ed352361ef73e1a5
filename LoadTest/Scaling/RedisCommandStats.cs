using System.Diagnostics;
using System.Globalization;
using LiveIm.Testing;

namespace LiveIm.LoadTest.Scaling;

/// <summary>
/// Commands a redis-server has executed, from its own <c>INFO commandstats</c> (read with <c>redis-cli</c>, so no
/// client library's behaviour is part of the figure): commands run inside scripts count too, and the INFO calls
/// themselves are left out.
/// </summary>
internal static class RedisCommandStats
{
    /// <summary>Total calls of every command but INFO.</summary>
    public static async Task<long> TotalCallsAsync(int port, CancellationToken cancellationToken)
    {
        var text = await InfoAsync(port, cancellationToken).ConfigureAwait(false);
        return Parse(text).Where(kv => kv.Key != "info").Sum(kv => kv.Value);
    }

    /// <summary>Calls per command in an <c>INFO commandstats</c> reply (<c>cmdstat_get:calls=3,usec=...</c>).</summary>
    public static Dictionary<string, long> Parse(string info)
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var raw in info.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var start = line.IndexOf("calls=", StringComparison.Ordinal);
            if (colon < 0 || start < 0)
            {
                continue;
            }

            var end = line.IndexOf(',', start);
            var digits = line[(start + 6)..(end < 0 ? line.Length : end)];
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                calls[line[8..colon]] = n;
            }
        }

        return calls;
    }

    private static async Task<string> InfoAsync(int port, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(ServerBinary.Find("redis-cli", "redis-tools"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "INFO", "commandstats" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("redis-cli did not start");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"redis-cli INFO commandstats failed: {await process.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false)}");
    }
}
