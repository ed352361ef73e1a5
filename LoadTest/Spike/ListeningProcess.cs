using System.Globalization;

namespace LiveIm.LoadTest.Spike;

/// <summary>
/// The process listening on a loopback TCP port, found in procfs (<c>/proc/net/tcp</c> gives the socket inode of the
/// listener, <c>/proc/&lt;pid&gt;/fd</c> who holds it): how a run against an already running LiveIm finds the processes
/// whose CPU and memory it shows. Only processes of the same user are visible; null when not found.
/// </summary>
internal static class ListeningProcess
{
    /// <summary>The pid listening on <paramref name="port"/>, or null.</summary>
    public static int? Find(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(table);
            }
            catch (IOException)
            {
                continue;
            }

            foreach (var line in lines.Skip(1))
            {
                // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode"
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10 || f[3] != "0A")
                {
                    continue; // 0A = LISTEN
                }

                var colon = f[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(f[1][(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) && p == port)
                {
                    inodes.Add($"socket:[{f[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries($"{dir}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && inodes.Contains(target))
                    {
                        return pid;
                    }
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                // Another user's process, or gone meanwhile.
            }
        }

        return null;
    }
}
