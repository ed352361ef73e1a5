using Microsoft.Extensions.Logging;

namespace LiveIm.Testing;

/// <summary>
/// Where the servers the tests run write their logs: one file per host or process in <see cref="Folder"/>
/// (<c>LIVEIM_TEST_LOGS</c>, which ./test.sh sets to <c>TestResults/logs</c>; else <c>test-logs/</c> beside the test
/// assembly). The test output stays the tests' own: progress and failures, not the hosts' log lines, and the logs of a
/// failed run are there to read.
/// </summary>
public static class TestLogs
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, StreamWriter> Writers = new(StringComparer.Ordinal);

    /// <summary>The folder the log files go to (created on first use).</summary>
    public static string Folder { get; } = Path.GetFullPath(
        Environment.GetEnvironmentVariable("LIVEIM_TEST_LOGS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "test-logs"));

    /// <summary>Replaces the host's log providers (the console) with the file <c>&lt;name&gt;.log</c> in <see cref="Folder"/>.</summary>
    public static ILoggingBuilder AddTestLogFile(this ILoggingBuilder logging, string name)
    {
        logging.ClearProviders();
        logging.AddProvider(new TestLogFileProvider(name));
        return logging;
    }

    /// <summary>Appends <paramref name="text"/> to <c>&lt;name&gt;.log</c> (files are shared by everything that names them).</summary>
    public static void Append(string name, string text)
    {
        lock (Gate)
        {
            if (!Writers.TryGetValue(name, out var writer))
            {
                Directory.CreateDirectory(Folder);
                var path = Path.Combine(Folder, FileName(name));
                writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
                Writers[name] = writer;
            }

            writer.WriteLine(text);
        }
    }

    private static string FileName(string name)
    {
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);
        return safe + ".log";
    }
}
