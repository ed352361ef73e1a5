using LiveIm.Core.Events;

namespace LiveIm.Client.Tests.Alignment;

/// <summary>
/// A replay source over a list of events, as RoomService's replay API would answer: the events of one epoch whose
/// stream time lies in [fromMs, toMs]. Records each call; with <see cref="Gate"/> set, a call waits for the test.
/// </summary>
internal sealed class FakeReplay(IEnumerable<RoomEvent> store)
{
    private readonly List<RoomEvent> _store = [.. store];

    public List<(long Epoch, long FromMs, long ToMs, CancellationToken Token)> Calls { get; } = [];

    /// <summary>When set, the next calls wait until it completes.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Added to every answer (to test what the aligner does with overlaps and duplicates).</summary>
    public List<RoomEvent> Extra { get; } = [];

    public async Task<IReadOnlyList<RoomEvent>> Fetch(long epoch, long fromMs, long toMs, CancellationToken token)
    {
        Calls.Add((epoch, fromMs, toMs, token));
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        return [.. _store.Where(e => e.StreamEpoch == epoch && e.StreamTs >= fromMs && e.StreamTs <= toMs), .. Extra];
    }
}
