namespace LiveIm.Testing;

/// <summary>Locates the real server binaries (Debian packages) the integration tests run.</summary>
public static class ServerBinary
{
    /// <summary>Full path of <paramref name="name"/> on PATH or in the Debian locations; throws with an install hint.</summary>
    public static string Find(string name, string debianPackage)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/sbin", "/usr/bin", "/usr/local/bin", "/usr/local/sbin" });
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(
            $"'{name}' was not found. Install it with: apt-get update && apt-get install -y {debianPackage} (./test.sh does this).");
    }
}
