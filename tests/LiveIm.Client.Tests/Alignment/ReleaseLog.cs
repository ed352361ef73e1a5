using LiveIm.Client.Alignment;
using LiveIm.Core.Events;

namespace LiveIm.Client.Tests.Alignment;

/// <summary>
/// Records what an aligner releases, with the simulated playback position at that moment (set by the test before
/// each tick), and checks the invariants every test shares.
/// </summary>
internal sealed class ReleaseLog
{
    private readonly object _gate = new();
    private readonly List<(AlignedRelease Release, long? PlaybackMs)> _releases = [];

    public ReleaseLog(PlaybackAligner aligner) => aligner.Released += r =>
    {
        lock (_gate)
        {
            _releases.Add((r, PlaybackMs));
        }
    };

    /// <summary>The simulated player's position as the test last told the aligner (null before it started).</summary>
    public long? PlaybackMs { get; set; }

    public IReadOnlyList<AlignedRelease> Releases
    {
        get
        {
            lock (_gate)
            {
                return _releases.Select(r => r.Release).ToList();
            }
        }
    }

    /// <summary>Every released event, in release order, with its kind and the playback position at release.</summary>
    public IReadOnlyList<(RoomEvent Event, ReleaseKind Kind, long? PlaybackMs)> Events
    {
        get
        {
            lock (_gate)
            {
                return _releases.SelectMany(r => r.Release.Events.Select(e => (e, r.Release.Kind, r.PlaybackMs))).ToList();
            }
        }
    }

    public IReadOnlyList<long> Ids => Events.Select(e => e.Event.Id).ToList();

    public void Clear()
    {
        lock (_gate)
        {
            _releases.Clear();
        }
    }
}
