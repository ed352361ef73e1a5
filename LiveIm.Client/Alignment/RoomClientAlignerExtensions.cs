using LiveIm.Core.Events;

namespace LiveIm.Client.Alignment;

/// <summary>Wires a <see cref="PlaybackAligner"/> to a <see cref="RoomClient"/>.</summary>
public static class RoomClientAlignerExtensions
{
    /// <summary>
    /// Feeds every batch the client receives into <paramref name="aligner"/>; dispose the result to stop. One aligner per
    /// room: ids are per room, so make a new one when the client joins another room.
    /// </summary>
    public static IDisposable AttachAligner(this RoomClient client, PlaybackAligner aligner)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(aligner);
        Action<IReadOnlyList<RoomEvent>> handler = aligner.Add;
        client.EventsReceived += handler;
        return new Subscription(client, handler);
    }

    private sealed class Subscription(RoomClient client, Action<IReadOnlyList<RoomEvent>> handler) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                client.EventsReceived -= handler;
            }
        }
    }
}
