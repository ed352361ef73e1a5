namespace LiveIm.RoomGateway.Delivery;

/// <summary>The fan-out engine's settings (configuration section <c>Fanout</c>; defaults in docs/operations.md).</summary>
public sealed class FanoutOptions
{
    /// <summary>
    /// The shortest tick: how long a hot room collects events before writing them as one frame per member. An idle
    /// room (nothing sent for a whole tick) writes an event at once; only a room with traffic inside the tick merges.
    /// Big rooms, and every room of a gateway over its budget, get a longer tick (<see cref="TickPolicy"/>).
    /// </summary>
    public int TickMs { get; set; } = 50;

    /// <summary>
    /// The longest tick: what a chat line waits at most before a big or overloaded room writes it. 500 ms merges
    /// ten times more than 50 ms, and is still small next to the 2-30 s the video itself runs behind live.
    /// </summary>
    public int MaxTickMs { get; set; } = 500;

    /// <summary>
    /// How long a pending reliable event (a gift) waits at most for its room's flush when the gateway is within its
    /// budget: a hot room's chat tick may be several hundred ms, a gift's should not. 100 ms keeps a gift's
    /// publish-to-write under 250 ms with a tick's fan-out time on top, and bounds a gift storm to 10 flushes a
    /// second per room (never one frame per gift).
    /// </summary>
    public int ReliableTickMs { get; set; } = 100;

    /// <summary>
    /// The starting estimate of gateway CPU per frame written to one connection, in microseconds, until
    /// <see cref="TickPolicy"/> has measured it on this machine (after the first second with traffic).
    /// </summary>
    public double FrameCostMicros { get; set; } = 10;

    /// <summary>
    /// How much of one core one room's fan-out may use at full heat: tick = members x cost per frame / this.
    /// At 10 µs per frame, 0.5 core gives 50 ms up to 2,500 members, 200 ms at 10,000.
    /// </summary>
    public double RoomCoreShare { get; set; } = 0.5;

    /// <summary>
    /// The gateway's budget as a fraction of all cores: above it (or when flushes start late), every room's tick
    /// is stretched (<see cref="TickPolicy"/>). 0.75 leaves a quarter of the machine for joins, the bus and
    /// Kestrel's accept loop.
    /// </summary>
    public double GatewayCoreShare { get; set; } = 0.75;

    /// <summary>How often the tick policy measures CPU per frame and the gateway's load.</summary>
    public int CostSampleMs { get; set; } = 1000;

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

    /// <summary>
    /// Rooms with more local members than this are written by one worker per core on the thread pool, a membership
    /// shard per step, the sockets sending between the steps (<see cref="Rooms.ShardWalk"/>), rather than at once on
    /// the flush's thread.
    /// </summary>
    public int ParallelFanoutThreshold { get; set; } = 2048;

    /// <summary>
    /// How long a reliable event that arrived ahead of a lower seq waits for it on the bus before the gateway reads
    /// the missing seq back from history (and again every this many ms while it is missing). Events reach the bus
    /// out of seq order when concurrent RoomService requests race to publish: the loser is usually microseconds to
    /// a few milliseconds behind, so 100 ms rarely costs a history read, and bounds what a lost bus message adds
    /// to a gift's latency to about 100 ms plus one history read.
    /// </summary>
    public int ReorderWaitMs { get; set; } = 100;

    /// <summary>
    /// How long a missing reliable seq may hold back the later ones before it is given up (counted in
    /// <c>liveim.gateway.reliable_gap_skipped</c>): history could not give it (RoomService unreachable, or the seq
    /// already trimmed). Clients that see the gap resume with lastSeq.
    /// </summary>
    public int GapGiveUpMs { get; set; } = 5000;

    /// <summary>
    /// Reliable events each room keeps in memory for viewers who resume on this gateway (RecentReliable): 6,000 is
    /// 30 s of a room at its gift cap (Limits:RoomGiftsPerSecond, 200), as much as RoomService's history keeps
    /// (History:MaxCount), ~1.8 MB for such a room and next to nothing for a quiet one. 0 turns it off (every resume
    /// reads history).
    /// </summary>
    public int ResumeBufferEvents { get; set; } = 6000;

    /// <summary>How long a room keeps a reliable event in that memory: a resume after longer reads history.</summary>
    public int ResumeBufferSeconds { get; set; } = 60;

    /// <summary>Checks the values; throws with the setting's name when one is out of range.</summary>
    public void Validate()
    {
        Check(TickMs is >= 0 and <= 1000, nameof(TickMs), "0..1000");
        Check(MaxTickMs is >= 0 and <= 5000, nameof(MaxTickMs), "0..5000");
        Check(ReliableTickMs is >= 0 and <= 5000, nameof(ReliableTickMs), "0..5000");
        Check(FrameCostMicros is >= 0 and <= 10_000, nameof(FrameCostMicros), "0..10000");
        Check(RoomCoreShare is > 0 and <= 64, nameof(RoomCoreShare), "> 0 and <= 64");
        Check(GatewayCoreShare is > 0 and <= 1, nameof(GatewayCoreShare), "> 0 and <= 1");
        Check(CostSampleMs is >= 100 and <= 60_000, nameof(CostSampleMs), "100..60000");
        Check(ChatDropBacklogBytes is >= 1024, nameof(ChatDropBacklogBytes), ">= 1024");
        Check(CloseBacklogBytes > ChatDropBacklogBytes, nameof(CloseBacklogBytes), "> ChatDropBacklogBytes");
        Check(MaxFrameBytes is >= 1024, nameof(MaxFrameBytes), ">= 1024");
        Check(CloseGraceMs is >= 0 and <= 60_000, nameof(CloseGraceMs), "0..60000");
        Check(ParallelFanoutThreshold >= 1, nameof(ParallelFanoutThreshold), ">= 1");
        Check(ReorderWaitMs is >= 1 and <= 10_000, nameof(ReorderWaitMs), "1..10000");
        Check(GapGiveUpMs >= ReorderWaitMs && GapGiveUpMs <= 60_000, nameof(GapGiveUpMs), "ReorderWaitMs..60000");
        Check(ResumeBufferEvents is >= 0 and <= 100_000, nameof(ResumeBufferEvents), "0..100000");
        Check(ResumeBufferSeconds is >= 1 and <= 3600, nameof(ResumeBufferSeconds), "1..3600");
    }

    private static void Check(bool ok, string name, string range)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Fanout:{name} must be {range}");
        }
    }
}
