using System.Globalization;
using Microsoft.Extensions.Logging;

namespace LiveIm.Testing;

/// <summary>Writes a test host's log entries to its file in <see cref="TestLogs.Folder"/>, one line per entry (plus the exception).</summary>
public sealed class TestLogFileProvider : ILoggerProvider
{
    private readonly string _name;

    /// <param name="name">The file's name, without <c>.log</c>.</param>
    public TestLogFileProvider(string name)
    {
        _name = name;
    }

    public ILogger CreateLogger(string categoryName) => new FileLogger(_name, categoryName);

    public void Dispose()
    {
    }

    private sealed class FileLogger(string file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"{DateTime.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {Level(logLevel)} {category}[{eventId.Id}] {formatter(state, exception)}";
            TestLogs.Append(file, exception is null ? line : line + Environment.NewLine + exception);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }
}
