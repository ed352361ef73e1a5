using System.Diagnostics.Metrics;
using LiveIm.Core.Events;

namespace LiveIm.RoomGateway.Delivery;

/// <summary>
/// The fan-out engine's counters, kept as plain fields updated with <see cref="Interlocked"/> (the hot path pays
/// one atomic add per room tick, not per member) and published as observable instruments on the
/// <c>LiveIm.Gateway</c> meter, so <c>/metrics</c>, dotnet-counters and OpenTelemetry all read the same numbers.
/// Instrument names are listed in docs/operations.md.
/// </summary>
public sealed class FanoutMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "LiveIm.Gateway";

    private static readonly string[] Lanes = [Lane.Chat, Lane.Like, Lane.Gift, Lane.System];

    private readonly long[] _eventsIn = new long[4];
    private readonly long[] _deliveries = new long[4];
    private readonly long[] _dropped = new long[4];
    private readonly Meter _meter;
    private long _frames;
    private long _bytes;
    private long _ticks;
    private long _slowConsumerCloses;
    private long _degraded;
    private long _banCloses;
    private long _joins;
    private long _busReceived;
    private long _reliableEarly;
    private long _gapRepairs;
    private long _resumePages;
    private long _resumesFromMemory;
    private long _resumeEventsFromMemory;
    private long _gapSkipped;
    private long _socketWriters;
    private long _hubWriters;
    private readonly Histogram<double> _publishToWrite;

    public FanoutMetrics()
    {
        _meter = new Meter(MeterName);
        _meter.CreateObservableCounter("liveim.gateway.events_in", () => PerLane(_eventsIn), description: "Room events received from the bus, per lane");
        _meter.CreateObservableCounter("liveim.gateway.deliveries", () => PerLane(_deliveries), description: "Events handed to connections (one per recipient), per lane");
        _meter.CreateObservableCounter("liveim.gateway.dropped", () => PerLane(_dropped), description: "Events not delivered to a connection (backlog or slow-consumer close), per lane");
        _meter.CreateObservableCounter("liveim.gateway.frames", () => Interlocked.Read(ref _frames), description: "Frames handed to connections");
        _meter.CreateObservableCounter("liveim.gateway.frame_bytes", () => Interlocked.Read(ref _bytes), unit: "By", description: "Bytes of frames handed to connections");
        _meter.CreateObservableCounter("liveim.gateway.ticks", () => Interlocked.Read(ref _ticks), description: "Room ticks flushed (one frame build each)");
        _meter.CreateObservableCounter("liveim.gateway.slow_consumer_closes", () => Interlocked.Read(ref _slowConsumerCloses), description: "Connections closed with slow_consumer");
        _meter.CreateObservableCounter("liveim.gateway.ban_closes", () => Interlocked.Read(ref _banCloses), description: "Connections closed because their user was banned from the room");
        _meter.CreateObservableCounter("liveim.gateway.chat_degraded", () => Interlocked.Read(ref _degraded), description: "Times a connection's backlog made it drop to the reliable lanes only");
        _meter.CreateObservableCounter("liveim.gateway.frame_buffers_rented", () => FramePool.RentedCount, description: "Pooled frame buffers rented");
        _meter.CreateObservableCounter("liveim.gateway.frame_buffers_returned", () => FramePool.ReturnedCount, description: "Pooled frame buffers returned");
        _meter.CreateObservableCounter("liveim.gateway.joins", () => Interlocked.Read(ref _joins), description: "JoinRoom calls that joined a room (a rate of this is joins/s)");
        _meter.CreateObservableCounter("liveim.gateway.bus_received", () => Interlocked.Read(ref _busReceived), description: "Messages received from the bus on room subjects, before de-duplication");
        _meter.CreateObservableCounter("liveim.gateway.reliable_early", () => Interlocked.Read(ref _reliableEarly), description: "Reliable events that reached the gateway ahead of a lower seq and waited for it (the bus is not in seq order)");
        _meter.CreateObservableCounter("liveim.gateway.reliable_gap_repairs", () => Interlocked.Read(ref _gapRepairs), description: "History reads started because a reliable seq was missing for Fanout:ReorderWaitMs");
        _meter.CreateObservableCounter("liveim.gateway.resumes_from_memory", () => Interlocked.Read(ref _resumesFromMemory), description: "Resuming joins whose missed reliable events came from the room's memory on this gateway (RoomService asked only for what came after)");
        _meter.CreateObservableCounter("liveim.gateway.resume_events_from_memory", () => Interlocked.Read(ref _resumeEventsFromMemory), description: "Reliable events resuming joins got from the room's memory on this gateway instead of from history");
        _meter.CreateObservableCounter("liveim.gateway.resume_pages", () => Interlocked.Read(ref _resumePages), description: "History pages read for joins whose resume was longer than one join reply carries (History:MaxReplay)");
        _meter.CreateObservableCounter("liveim.gateway.reliable_gap_skipped", () => Interlocked.Read(ref _gapSkipped), description: "Reliable seqs given up after Fanout:GapGiveUpMs (or gone from history); clients resume past them with lastSeq");
        _meter.CreateObservableCounter("liveim.gateway.connection_writers", WritersByPath, description: "Connections by how room frames reach them: path=socket written straight to the WebSocket (FrameSocket), path=hub through SignalR's connection pipe");

        // From RoomService's serverTs to the tick that writes the event: queueing on the bus, the tick's merge wait
        // (50-250 ms by design) and the frame build. Buckets from 5 ms (one idle-room hop) to 10 s (the outer limit
        // operators quote for a gift). Clock skew between hosts adds to it: run NTP.
        _publishToWrite = _meter.CreateHistogram(
            "liveim.gateway.publish_to_write", unit: "s",
            description: "Seconds from an event's serverTs (RoomService) to the tick that writes it to connections, per lane",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = PublishToWriteBuckets });
        // No unit on purpose: the Prometheus exporter appends a unit the name does not end with, and this name (in
        // dashboards and alert rules) ends with "_outstanding"; the description says bytes.
        _meter.CreateObservableGauge("liveim.gateway.frame_bytes_outstanding", () => FramePool.OutstandingBytes, description: "Bytes of frames alive (queued or being written)");
    }

    /// <summary>Bucket bounds (seconds) of the publish-to-write histogram.</summary>
    public static readonly double[] PublishToWriteBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Publishes the registry's gauges (connections, rooms) on the same meter.</summary>
    public void ObserveRegistry(Func<long> connections, Func<long> rooms)
    {
        _meter.CreateObservableGauge("liveim.gateway.connections", connections, description: "Open hub connections");
        _meter.CreateObservableGauge("liveim.gateway.rooms", rooms, description: "Rooms with local members");
    }

    /// <summary>Publishes the tick policy's estimate of CPU per frame, its pressure and the gateway's load.</summary>
    public void ObserveTickPolicy(TickPolicy policy)
    {
        _meter.CreateObservableGauge("liveim.gateway.frame_cost", () => policy.FrameCostMicros / 1e6, unit: "s", description: "Measured gateway CPU per frame written to one connection (the tick policy's estimate), seconds");
        _meter.CreateObservableGauge("liveim.gateway.tick_pressure", () => policy.Pressure, description: "Factor every room's tick is stretched by because the gateway is over Fanout:GatewayCoreShare or its flushes start late (1 = not)");
        _meter.CreateObservableGauge("liveim.gateway.cpu_utilization", () => policy.Utilization, description: "The gateway process's CPU over the last sample as a fraction of all cores");
    }

    /// <summary>
    /// Publishes the tick and the flush cost of the hot rooms (the <see cref="HotRoomsShown"/> biggest with at least
    /// <see cref="HotRoomMembers"/> local members: a room label per hot room, never one per room).
    /// </summary>
    public void ObserveHotRooms(Func<IEnumerable<(string Room, int Members, int TickMs, double FlushMicrosPerMember)>> rooms)
    {
        IEnumerable<(string Room, int Members, int TickMs, double FlushMicrosPerMember)> Hot() =>
            rooms().Where(r => r.Members >= HotRoomMembers).OrderByDescending(r => r.Members).Take(HotRoomsShown);
        _meter.CreateObservableGauge("liveim.gateway.room_tick", () => Hot().Select(r => new Measurement<double>(r.TickMs / 1000.0, new KeyValuePair<string, object?>("room", r.Room))), unit: "s", description: "Current tick of each hot room (seconds)");
        _meter.CreateObservableGauge("liveim.gateway.room_flush_cost", () => Hot().Select(r => new Measurement<double>(r.FlushMicrosPerMember / 1e6, new KeyValuePair<string, object?>("room", r.Room))), unit: "s", description: "Wall time of each hot room's last flush per local member, seconds");
    }

    /// <summary>Local members from which a room counts as hot for the per-room gauges.</summary>
    public const int HotRoomMembers = 1000;

    /// <summary>How many hot rooms the per-room gauges show at most.</summary>
    public const int HotRoomsShown = 20;

    /// <summary>Frames handed to connections so far (the tick policy's cost per frame).</summary>
    public long TotalFrames => Interlocked.Read(ref _frames);

    /// <summary>The meter the instruments are on.</summary>
    public Meter Meter => _meter;

    /// <summary>Events handed to connections so far, all lanes (the load report's deliveries/s).</summary>
    public long TotalDeliveries
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _deliveries.Length; i++)
            {
                total += Interlocked.Read(ref _deliveries[i]);
            }

            return total;
        }
    }

    internal void EventIn(string lane) => Interlocked.Increment(ref _eventsIn[Index(lane)]);

    internal void Tick() => Interlocked.Increment(ref _ticks);

    internal void Joined() => Interlocked.Increment(ref _joins);

    internal void BusReceived() => Interlocked.Increment(ref _busReceived);

    internal void ReliableEarly() => Interlocked.Increment(ref _reliableEarly);

    internal void ReliableGapRepair() => Interlocked.Increment(ref _gapRepairs);

    internal void ResumePageRead() => Interlocked.Increment(ref _resumePages);

    internal void ResumedFromMemory(int events)
    {
        Interlocked.Increment(ref _resumesFromMemory);
        Interlocked.Add(ref _resumeEventsFromMemory, events);
    }

    internal void ReliableGapSkipped(long seqs) => Interlocked.Add(ref _gapSkipped, seqs);

    /// <summary>Records the publish-to-write latency of a frame's live events, once per event (not per member).</summary>
    internal void Written(List<TickEvent> events)
    {
        if (!_publishToWrite.Enabled)
        {
            return;
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var e in events)
        {
            if (e.ServerTs > 0)
            {
                _publishToWrite.Record(Math.Max(0, now - e.ServerTs) / 1000.0, new KeyValuePair<string, object?>("lane", e.Lane));
            }
        }
    }

    internal void Delivered(LaneCounts counts, long recipients, long frames, long bytes)
    {
        Add(_deliveries, counts, recipients);
        Interlocked.Add(ref _frames, frames);
        Interlocked.Add(ref _bytes, bytes);
    }

    internal void Drop(LaneCounts counts, long times = 1) => Add(_dropped, counts, times);

    internal void SlowConsumerClosed() => Interlocked.Increment(ref _slowConsumerCloses);

    internal void BanClosed() => Interlocked.Increment(ref _banCloses);

    internal void WentDegraded() => Interlocked.Increment(ref _degraded);

    public void Dispose() => _meter.Dispose();

    private static void Add(long[] perLane, LaneCounts counts, long times)
    {
        if (times == 0)
        {
            return;
        }

        if (counts.Chat > 0) Interlocked.Add(ref perLane[0], counts.Chat * times);
        if (counts.Like > 0) Interlocked.Add(ref perLane[1], counts.Like * times);
        if (counts.Gift > 0) Interlocked.Add(ref perLane[2], counts.Gift * times);
        if (counts.System > 0) Interlocked.Add(ref perLane[3], counts.System * times);
    }

    private static int Index(string lane) => lane switch
    {
        Lane.Chat => 0,
        Lane.Like => 1,
        Lane.Gift => 2,
        _ => 3,
    };

    /// <summary>A connection's member was created; <paramref name="direct"/>: its frames go straight to its WebSocket.</summary>
    public void WriterCreated(bool direct) => Interlocked.Increment(ref direct ? ref _socketWriters : ref _hubWriters);

    private IEnumerable<Measurement<long>> WritersByPath()
    {
        yield return new Measurement<long>(Interlocked.Read(ref _socketWriters), new KeyValuePair<string, object?>("path", "socket"));
        yield return new Measurement<long>(Interlocked.Read(ref _hubWriters), new KeyValuePair<string, object?>("path", "hub"));
    }

    private static IEnumerable<Measurement<long>> PerLane(long[] values)
    {
        for (var i = 0; i < Lanes.Length; i++)
        {
            yield return new Measurement<long>(Interlocked.Read(ref values[i]), new KeyValuePair<string, object?>("lane", Lanes[i]));
        }
    }
}
