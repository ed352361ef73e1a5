using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>Collects log entries so tests can assert that something was logged, and how.</summary>
public sealed class TestLoggerFactory : ILoggerFactory
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public bool Has(int eventId) => Entries.Any(e => e.EventId.Id == eventId);

    public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(TestLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner.Entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), exception));
        }
    }
}
