using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Testing;

namespace LiveIm.IntegrationTests;

/// <summary>Collects the events a client receives, for assertions.</summary>
public sealed class EventCollector
{
    private readonly List<RoomEvent> _events = new();
    private readonly List<int> _frames = new();

    public EventCollector(RoomClient client)
    {
        client.EventsReceived += batch =>
        {
            lock (_events)
            {
                _events.AddRange(batch);
                _frames.Add(batch.Count);
            }
        };
    }

    public IReadOnlyList<RoomEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    /// <summary>The number of events in each frame received, in order.</summary>
    public IReadOnlyList<int> Frames
    {
        get
        {
            lock (_events)
            {
                return _frames.ToList();
            }
        }
    }

    public IReadOnlyList<RoomEvent> OfType(string type) => Events.Where(e => e.Type == type).ToList();

    public Task WaitForAsync(Func<IReadOnlyList<RoomEvent>, bool> condition, string because, double seconds = 5) =>
        Eventually.TrueAsync(() => condition(Events), TimeSpan.FromSeconds(seconds), because);
}
