using System.Reflection;

namespace LiveIm.Hosting.Redis;

/// <summary>
/// A Lua script read once from <c>.lua</c> files embedded in an assembly. Redis scripts cannot include each other,
/// so shared pieces (libraries) are concatenated in front of the script that uses them: one definition of each, and
/// each script still runs as one atomic call. <see cref="RedisConnection.ScriptAsync"/> runs it by its SHA1.
/// </summary>
public sealed class RedisScript
{
    private RedisScript(string name, string source)
    {
        Name = name;
        Source = source;
    }

    /// <summary>The last file's name, for logs and tests.</summary>
    public string Name { get; }

    /// <summary>The whole Lua source as Redis receives it.</summary>
    public string Source { get; }

    /// <summary>
    /// Reads the embedded files whose resource names end with <c>.</c> + each of <paramref name="files"/> (dots for
    /// folders: <c>lib.clock.lua</c>), in order, and joins them.
    /// </summary>
    public static RedisScript FromResources(Assembly assembly, params string[] files)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (files.Length == 0)
        {
            throw new ArgumentException("A script needs at least one file.", nameof(files));
        }

        var names = assembly.GetManifestResourceNames();
        var source = string.Concat(files.Select(file =>
        {
            var resource = names.Single(n => n.EndsWith("." + file, StringComparison.Ordinal));
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            return WithoutCommentLines(reader.ReadToEnd()) + "\n";
        }));
        return new RedisScript(files[^1], source);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    // The files explain themselves at length (half of their bytes are comments). Whole comment lines are dropped from
    // what Redis receives: the client looks a script up by its whole source on every call, and a shorter source is a
    // cheaper lookup and a smaller SCRIPT LOAD. Comments at the end of a line of code stay (they are few).
    private static string WithoutCommentLines(string source) =>
        string.Join('\n', source.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal)));
}
