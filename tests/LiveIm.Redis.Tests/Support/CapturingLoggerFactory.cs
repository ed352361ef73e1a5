using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LiveIm.Redis.Tests.Support;

/// <summary>Records every log entry, so tests can assert what an operator would see.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(CapturingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), exception));
    }
}
