using System.Reflection;
using LiveIm.Client.Alignment;
using LiveIm.Core.Events;
using Xunit;

namespace LiveIm.Client.Tests.Alignment;

public sealed class RoomClientAlignerExtensionsTests
{
    [Fact]
    public async Task An_attached_aligner_gets_the_clients_batches_until_detached()
    {
        // No gateway here: the test raises RoomClient.EventsReceived itself, as the receive loop would.
        await using var client = new RoomClient(new RoomClientOptions { GatewayUrl = new Uri("http://127.0.0.1:9") });
        var aligner = new PlaybackAligner();
        var log = new ReleaseLog(aligner);

        using (client.AttachAligner(aligner))
        {
            Raise(client, [Ev.NoClock(1)]);
        }

        Raise(client, [Ev.NoClock(2)]);
        Assert.Equal([1L], log.Ids);
    }

    private static void Raise(RoomClient client, IReadOnlyList<RoomEvent> batch)
    {
        var field = typeof(RoomClient).GetField(nameof(RoomClient.EventsReceived), BindingFlags.Instance | BindingFlags.NonPublic);
        (field?.GetValue(client) as Action<IReadOnlyList<RoomEvent>>)?.Invoke(batch);
    }
}
