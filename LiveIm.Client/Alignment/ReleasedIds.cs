namespace LiveIm.Client.Alignment;

/// <summary>
/// The ids released in the current pass, so that a duplicate (a resume that overlaps, a replay of something still
/// remembered) is not released twice. Bounded: the oldest remembered id is forgotten first. Not thread-safe (the
/// aligner's lock guards it).
/// </summary>
internal sealed class ReleasedIds(int capacity)
{
    // Where each id sat on the timeline (a seek backward forgets exactly the ids of its replay window) and which
    // remembering it was (an id forgotten and remembered again has a stale entry in _order: skip it when trimming).
    private readonly Dictionary<long, Entry> _entries = [];
    private readonly Queue<(long Id, long Stamp)> _order = new();
    private long _stamp;

    public bool Contains(long id) => _entries.ContainsKey(id);

    public void Remember(long id, long? epoch, long? streamTs)
    {
        if (capacity == 0)
        {
            return;
        }

        _stamp++;
        _entries[id] = new Entry(epoch, streamTs, _stamp);
        _order.Enqueue((id, _stamp));
        while (_entries.Count > capacity && _order.TryDequeue(out var oldest))
        {
            if (_entries.TryGetValue(oldest.Id, out var entry) && entry.Stamp == oldest.Stamp)
            {
                _entries.Remove(oldest.Id);
            }
        }

        // Stale queue entries (ids forgotten by a seek) would otherwise pile up behind a full dictionary.
        if (_order.Count > 2 * capacity)
        {
            Compact();
        }
    }

    /// <summary>Forgets the ids of <paramref name="epoch"/> whose stream time is in [fromMs, toMs].</summary>
    public void Forget(long epoch, long fromMs, long toMs)
    {
        List<long>? forget = null;
        foreach (var (id, entry) in _entries)
        {
            if (entry.Epoch == epoch && entry.StreamTs >= fromMs && entry.StreamTs <= toMs)
            {
                (forget ??= []).Add(id);
            }
        }

        if (forget is not null)
        {
            foreach (var id in forget)
            {
                _entries.Remove(id);
            }
        }
    }

    private void Compact()
    {
        var live = _order.Where(o => _entries.TryGetValue(o.Id, out var e) && e.Stamp == o.Stamp).ToList();
        _order.Clear();
        foreach (var o in live)
        {
            _order.Enqueue(o);
        }
    }

    private readonly record struct Entry(long? Epoch, long? StreamTs, long Stamp);
}
