using LiveIm.Client;
using LiveIm.Core.Events;
using LiveIm.Testing;

namespace LiveIm.IntegrationTests;

/// <summary>Collects the events a client receives, for assertions.</summary>
public sealed class EventCollector
{
    private readonly List<RoomEvent> _events = new();

    public EventCollector(RoomClient client)
    {
        client.EventsReceived += batch =>
        {
            lock (_events)
            {
                _events.AddRange(batch);
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

    public IReadOnlyList<RoomEvent> OfType(string type) => Events.Where(e => e.Type == type).ToList();

    public Task WaitForAsync(Func<IReadOnlyList<RoomEvent>, bool> condition, string because, double seconds = 5) =>
        Eventually.TrueAsync(() => condition(Events), TimeSpan.FromSeconds(seconds), because);
}
