namespace LiveIm.RoomGateway.Delivery;

/// <summary>The fan-out engine's settings (configuration section <c>Fanout</c>; defaults in docs/operations.md).</summary>
public sealed class FanoutOptions
{
    /// <summary>
    /// How long a hot room collects events before writing them as one frame per member. An idle room (nothing sent
    /// for a whole tick) writes an event at once; only a room with traffic inside the tick merges.
    /// </summary>
    /// <remarks>
    /// The arithmetic behind the default, from the fan-out benchmark (docs/performance.md, 10,000 receivers on the
    /// 2-core machine): one frame write to one connection costs the gateway about 10-12 µs of CPU whatever the
    /// frame carries (12.05 s per million deliveries at one event per frame; 80 % of it user time: SignalR's and
    /// Kestrel's per-connection pipes and WebSocket loops, the rest the socket). A room's tick costs members x 10 µs,
    /// so a room with 10,000 local members ticking every 100 ms costs 10 ticks/s x 100 ms = 1 core at most,
    /// however many messages it carries; at 50 ms it would cost the whole 2-core machine (measured at the room's
    /// chat budget, 20 lines/s + 5 gifts/s: 169k frames/s and gift p99 328 ms at 50 ms, against 99k frames/s and
    /// 279 ms at 100 ms; capacity was the same within one bisection step, 140 vs 130 lines/s).
    /// The price is latency: an event waits at most one tick (50 ms on average), which nobody notices next to the
    /// 2-30 s the video itself is behind; a quiet room (nothing in the last tick) sends at once.
    /// </remarks>
    public int TickMs { get; set; } = 100;

    /// <summary>
    /// A member whose not-yet-written backlog passes this many bytes (beyond what the transport already
    /// buffers, 64 KB) gets only the reliable lanes until its backlog is empty again: its chat and likes are
    /// dropped and counted. About 2 s of a hot room's chat.
    /// </summary>
    public int ChatDropBacklogBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// A member whose backlog passes this many bytes even on the reliable lanes is closed with
    /// <c>slow_consumer</c> (it resumes with lastSeq on reconnect). Bounds the gateway's memory per connection.
    /// </summary>
    public int CloseBacklogBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// A tick whose events pass this many bytes goes out as several frames, each at most this big (one event may
    /// be bigger on its own): clients parse bounded messages, and a backlog is counted in frames of known size.
    /// </summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>How long a slow consumer's close message may take to get through before the socket is aborted.</summary>
    public int CloseGraceMs { get; set; } = 2000;

    /// <summary>How often, at most, a room's online count rides along with its frames (only when it changed).</summary>
    public int OnlineIntervalMs { get; set; } = 2000;

    /// <summary>
    /// Rooms with more local members than this are written by several workers in parallel (one per membership
    /// shard group) rather than by one.
    /// </summary>
    public int ParallelFanoutThreshold { get; set; } = 2048;

    /// <summary>Checks the values; throws with the setting's name when one is out of range.</summary>
    public void Validate()
    {
        Check(TickMs is >= 0 and <= 1000, nameof(TickMs), "0..1000");
        Check(ChatDropBacklogBytes is >= 1024, nameof(ChatDropBacklogBytes), ">= 1024");
        Check(CloseBacklogBytes > ChatDropBacklogBytes, nameof(CloseBacklogBytes), "> ChatDropBacklogBytes");
        Check(MaxFrameBytes is >= 1024, nameof(MaxFrameBytes), ">= 1024");
        Check(CloseGraceMs is >= 0 and <= 60_000, nameof(CloseGraceMs), "0..60000");
        Check(OnlineIntervalMs is >= 100, nameof(OnlineIntervalMs), ">= 100");
        Check(ParallelFanoutThreshold >= 1, nameof(ParallelFanoutThreshold), ">= 1");
    }

    private static void Check(bool ok, string name, string range)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Fanout:{name} must be {range}");
        }
    }
}
