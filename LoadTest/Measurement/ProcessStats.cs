using System.Globalization;

namespace LiveIm.LoadTest.Measurement;

/// <summary>
/// Per-process figures from Linux procfs: CPU time (<c>/proc/&lt;pid&gt;/stat</c> utime + stime, all threads) and
/// resident memory (<c>/proc/&lt;pid&gt;/status</c> VmRSS), plus machine-wide busy time from <c>/proc/stat</c>.
/// </summary>
public static class ProcessStats
{
    /// <summary>USER_HZ: the unit of utime/stime and /proc/stat. 100 on every Linux architecture .NET runs on.</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>CPU seconds (user + system) the process used so far, or null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        var stat = TryRead($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }

        // "(2) comm %s ... in parentheses"; it may contain spaces and ')' so fields are counted after the last ')'.
        // Field 3 (state) is the first after it; utime is field 14 and stime field 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length < 13)
        {
            return null;
        }

        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>Resident set size in bytes, or null when the process is gone.</summary>
    public static long? RssBytes(int pid)
    {
        var status = TryRead($"/proc/{pid}/status");
        if (status is null)
        {
            return null;
        }

        foreach (var line in status.Split('\n'))
        {
            // "VmRSS:	  123456 kB"
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var parts = line[6..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }

    /// <summary>Machine CPU time so far: (busy, total) in USER_HZ ticks over all cores.</summary>
    public static (long Busy, long Total) MachineTicks()
    {
        var stat = TryRead("/proc/stat");
        if (stat is null)
        {
            return (0, 0);
        }

        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
        var first = stat.AsSpan(0, stat.IndexOf('\n'));
        var parts = first.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long total = 0, idle = 0;
        for (var i = 1; i < parts.Length && i <= 8; i++)
        {
            var v = long.Parse(parts[i], CultureInfo.InvariantCulture);
            total += v;
            if (i is 4 or 5)
            {
                idle += v;
            }
        }

        return (total - idle, total);
    }

    /// <summary>
    /// The id of a direct child of this process whose command name is <paramref name="comm"/> and whose command line
    /// names <paramref name="port"/> (how the nats-server and redis-server that LiveIm.Testing starts are found).
    /// redis-server rewrites its command line to "redis-server 127.0.0.1:port", hence the ":port" form.
    /// </summary>
    public static int? FindChild(string comm, int port)
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var portText = port.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var stat = TryRead($"{dir}/stat");
            if (stat is null)
            {
                continue;
            }

            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != comm)
            {
                continue;
            }

            var fields = stat[(close + 2)..].Split(' ');
            if (fields.Length < 2 || fields[1] != self)
            {
                continue;
            }

            var cmdline = (TryRead($"{dir}/cmdline") ?? string.Empty).Split('\0', ' ');
            if (cmdline.Any(a => a == portText || a.EndsWith(":" + portText, StringComparison.Ordinal)))
            {
                return pid;
            }
        }

        return null;
    }

    /// <summary>The hard open-files limit of this process (<c>ulimit -Hn</c>), or null when unknown.</summary>
    public static long? OpenFilesHardLimit()
    {
        var limits = TryRead("/proc/self/limits");
        if (limits is null)
        {
            return null;
        }

        foreach (var line in limits.Split('\n'))
        {
            // "Max open files            20000                20000                files"
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard) ? hard : null;
            }
        }

        return null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
