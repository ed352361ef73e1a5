using System.Collections.Concurrent;
using System.Text;
using LiveIm.Nats;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>A handler that records what it got.</summary>
public sealed class Received
{
    public ConcurrentQueue<NatsMsg> Messages { get; } = new();

    public int Count => Messages.Count;

    public IEnumerable<string> Texts => Messages.Select(m => Encoding.UTF8.GetString(m.Data.Span));

    public ValueTask Handle(NatsMsg msg)
    {
        Messages.Enqueue(msg);
        return ValueTask.CompletedTask;
    }
}
