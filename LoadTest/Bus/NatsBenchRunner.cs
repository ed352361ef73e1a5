using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using LiveIm.Core.Bus;
using LiveIm.Hosting.Bus;
using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace LiveIm.LoadTest.Bus;

/// <summary>
/// Runs one step of <c>LoadTest nats</c> against a nats-server: connects the gateway and RoomService connections
/// (LiveIm's own client options, <see cref="NatsBusOptions"/>), subscribes each gateway to the rooms it holds, drives
/// the step's traffic, reads the server before, at both edges of the measured window and after the drain, and checks
/// that the clients got exactly what the server says it delivered. Every step has connections of its own, so their
/// set-up and teardown fall outside every window.
/// </summary>
internal static class NatsBenchRunner
{
    /// <summary>LiveIm's request timeout (Nats:RequestTimeout's default).</summary>
    private static readonly TimeSpan RequestTimeout = new BusSettings().RequestTimeout;

    /// <summary>Runs <paramref name="step"/>; <paramref name="progress"/> hears what it is doing.</summary>
    public static async Task<NatsBenchResult> RunAsync(
        NatsBenchServer server, NatsBenchStep step, NatsBenchOptions o, Action<string> progress, CancellationToken cancellationToken)
    {
        var payloads = new NatsBenchPayloads(o.Rooms, o.EventBytes);
        var counters = new NatsBenchCounters(step.Fanout);
        var gateways = Enumerable.Range(0, o.Gateways).Select(i => Connect(server, $"bench-gateway-{i}", counters)).ToArray();
        var services = Enumerable.Range(0, o.RoomServices).Select(i => Connect(server, $"bench-roomservice-{i}", counters)).ToArray();
        var readers = new List<Task>();
        try
        {
            progress(Inv($"  {step.Name}: {o.Gateways} gateway and {o.RoomServices} RoomService connections, {o.Rooms:N0} rooms × {step.Fanout} = {o.Rooms * step.Fanout:N0} room subscriptions"));
            await Task.WhenAll(gateways.Concat(services).Select(c => c.ConnectAsync().AsTask())).WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(gateways.Select(async (gateway, g) =>
            {
                foreach (var room in HeldRooms(g, o.Gateways, o.Rooms, step.Fanout))
                {
                    var sub = await gateway.SubscribeCoreAsync(payloads.RoomSubjects[room], serializer: PayloadLength.Instance, cancellationToken: cancellationToken).ConfigureAwait(false);
                    lock (readers)
                    {
                        readers.Add(Task.Run(() => ReadRoomAsync(sub, counters), CancellationToken.None));
                    }
                }
            })).ConfigureAwait(false);

            if (step.Kind == NatsBenchStepKind.Chat)
            {
                foreach (var service in services)
                {
                    var sub = await service.SubscribeCoreAsync(Subjects.Chat, Subjects.ServiceQueueGroup, ChatRequestRoom.Instance, cancellationToken: cancellationToken).ConfigureAwait(false);
                    readers.Add(Task.Run(() => ServeAsync(service, sub, payloads, counters), CancellationToken.None));
                }
            }

            // The server handles a connection's commands in order: once each PONG is back every SUB is in place.
            await Task.WhenAll(gateways.Concat(services).Select(c => c.PingAsync(cancellationToken).AsTask())).ConfigureAwait(false);
            if (step.Kind == NatsBenchStepKind.Chat)
            {
                await PrimeAsync(gateways, payloads, counters, cancellationToken).ConfigureAwait(false);
            }

            var start = await NatsBenchReading.TakeAsync(server, counters).ConfigureAwait(false);
            using var stop = new CancellationTokenSource();
            var drivers = step.Kind == NatsBenchStepKind.Publish
                ? services.Select((s, i) => Task.Run(() => PublishAsync(s, i, o, step, payloads, counters, stop.Token), CancellationToken.None)).ToArray()
                : Enumerable.Range(0, o.InFlight).Select(i => Task.Run(() => CallAsync(gateways, i, o, step, payloads, counters, stop.Token), CancellationToken.None)).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(o.WarmupSeconds), cancellationToken).ConfigureAwait(false);
            var a = await NatsBenchReading.TakeAsync(server, counters).ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(o.Seconds), cancellationToken).ConfigureAwait(false);
            var b = await NatsBenchReading.TakeAsync(server, counters).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(drivers).ConfigureAwait(false);

            var end = await DrainAsync(server, counters, start, cancellationToken).ConfigureAwait(false);
            var result = NatsBenchResult.From(step, start, a, b, end, counters.LastError);
            progress(Inv($"  {step.Name}: {result.InPerSecond:N0} in/s, {result.OutPerSecond:N0} out/s, nats-server {result.NatsCores:0.00} cores, {result.MessagesPerCoreSecond:N0} msgs per core-second, delivery {(result.DeliveryExact ? "exact" : "NOT exact")}"));
            return result;
        }
        finally
        {
            foreach (var connection in gateways.Concat(services))
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            // Disposing a connection completes its subscriptions' channels: every reader ends.
            try
            {
                await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                progress("  some subscription readers did not end within 10 s of their connection's close");
            }
        }
    }

    /// <summary>
    /// Rooms gateway <paramref name="gateway"/> of <paramref name="gateways"/> holds when each of <paramref name="rooms"/>
    /// rooms sits on <paramref name="fanout"/> gateways: room r on gateways r, r + 1, … r + g − 1 (mod G), so every
    /// gateway holds the same number of rooms (±1) and room r's senders are on gateway r mod G.
    /// </summary>
    public static IEnumerable<int> HeldRooms(int gateway, int gateways, int rooms, int fanout)
    {
        for (var room = 0; room < rooms; room++)
        {
            var first = room % gateways;
            var offset = (gateway - first + gateways) % gateways;
            if (offset < fanout)
            {
                yield return room;
            }
        }
    }

    private static NatsConnection Connect(NatsBenchServer server, string name, NatsBenchCounters counters)
    {
        var connection = new NatsConnection(NatsBusOptions.Create(new BusSettings { Url = server.Url }, name, NullLoggerFactory.Instance));
        connection.MessageDropped += (_, _) =>
        {
            counters.MessageDropped();
            return ValueTask.CompletedTask;
        };
        return connection;
    }

    // A gateway's room subscription: counts each copy (LiveIm's gateway would hand it to the room's tick).
    private static async Task ReadRoomAsync(INatsSub<int> sub, NatsBenchCounters counters)
    {
        var reader = sub.Msgs;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var msg))
                {
                    counters.GatewayGot(msg.Data);
                }
            }
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or ChannelClosedException)
        {
            // The connection is gone: the step is over.
        }
    }

    // RoomService's part of a chat send: publish the room's event, then reply (RoomService publishes before it answers).
    private static async Task ServeAsync(NatsConnection service, INatsSub<int> sub, NatsBenchPayloads payloads, NatsBenchCounters counters)
    {
        var reader = sub.Msgs;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var msg))
                {
                    counters.RequestReceived();
                    if (msg.Data < 0 || msg.Data >= payloads.Events.Length || msg.ReplyTo is not { } replyTo)
                    {
                        // Not one of ours: no room to publish to. Its caller times out and the step is not exact.
                        counters.Note("RoomService got a request it could not read");
                        continue;
                    }

                    counters.EventPublished();
                    await service.PublishAsync(payloads.RoomSubjects[msg.Data], payloads.Events[msg.Data]).ConfigureAwait(false);
                    counters.ReplySent();
                    await service.PublishAsync(replyTo, payloads.Reply).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is NatsException or OperationCanceledException or ChannelClosedException or ObjectDisposedException)
        {
            // The connection is gone: the step is over.
        }
    }

    // One RoomService connection publishing room events: rooms index, index + P, … in turn.
    private static async Task PublishAsync(
        NatsConnection service, int index, NatsBenchOptions o, NatsBenchStep step, NatsBenchPayloads payloads, NatsBenchCounters counters, CancellationToken stop)
    {
        var pacer = new NatsBenchPacer(step.Rate / o.RoomServices);
        var room = index % o.Rooms;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await counters.WaitForWindowAsync(stop).ConfigureAwait(false);
                await pacer.WaitAsync(stop).ConfigureAwait(false);
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                counters.EventPublished();
                await service.PublishAsync(payloads.RoomSubjects[room], payloads.Events[room]).ConfigureAwait(false);
                room = (room + o.RoomServices) % o.Rooms;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The window is over.
        }
    }

    // One of --in-flight callers: a viewer's chat line through its gateway, the next when the reply is back. Caller i
    // sits on gateway i mod G and sends for the rooms whose senders are there (HeldRooms).
    private static async Task CallAsync(
        NatsConnection[] gateways, int index, NatsBenchOptions o, NatsBenchStep step, NatsBenchPayloads payloads, NatsBenchCounters counters, CancellationToken stop)
    {
        var g = index % gateways.Length;
        var rooms = Enumerable.Range(0, o.Rooms).Where(r => r % gateways.Length == g).ToArray();
        var pacer = new NatsBenchPacer(step.Rate / o.InFlight);
        var replyOpts = new NatsSubOpts { Timeout = RequestTimeout };
        var n = index / gateways.Length;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await counters.WaitForWindowAsync(stop).ConfigureAwait(false);
                await pacer.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (stop.IsCancellationRequested)
            {
                break;
            }

            var room = rooms[n++ % rooms.Length];
            counters.RequestSent();
            try
            {
                // Not cancelled by the end of the window: a request sent is answered, so the step's counts add up.
                var reply = await gateways[g].RequestAsync<ReadOnlyMemory<byte>, int>(
                    Subjects.Chat, payloads.Requests[room], replySerializer: PayloadLength.Instance, replyOpts: replyOpts).ConfigureAwait(false);
                if (reply.HasNoResponders)
                {
                    counters.RequestFailed("no responders");
                }
                else
                {
                    counters.ReplyReceived();
                }
            }
            catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
            {
                counters.RequestFailed(ex.GetType().Name + ": " + ex.Message);
            }
        }
    }

    // The client subscribes a connection's reply inbox on its first request, and a reply that comes back before that
    // SUB reached the server goes nowhere (the request times out). One request per gateway before the step begins,
    // as a gateway's first join is; then wait until the room event each one published has reached its gateways.
    private static async Task PrimeAsync(NatsConnection[] gateways, NatsBenchPayloads payloads, NatsBenchCounters counters, CancellationToken cancellationToken)
    {
        var replyOpts = new NatsSubOpts { Timeout = RequestTimeout };
        for (var g = 0; g < gateways.Length; g++)
        {
            counters.RequestSent();
            await gateways[g].RequestAsync<ReadOnlyMemory<byte>, int>(
                Subjects.Chat, payloads.Requests[g], replySerializer: PayloadLength.Instance, replyOpts: replyOpts, cancellationToken: cancellationToken).ConfigureAwait(false);
            counters.ReplyReceived();
        }

        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (counters.Outstanding > 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    // Waits until every event copy and reply has arrived and the server's counters have caught up with the clients'
    // (or gives up: the report then says the delivery was not exact).
    private static async Task<NatsBenchReading> DrainAsync(NatsBenchServer server, NatsBenchCounters counters, NatsBenchReading start, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline
            && (counters.Outstanding > 0 || counters.RequestsSent > counters.RepliesReceived + counters.RequestsFailed || counters.RequestsReceived > counters.RepliesSent))
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        while (true)
        {
            var end = await NatsBenchReading.TakeAsync(server, counters).ConfigureAwait(false);
            if ((end.InMsgs - start.InMsgs == end.ClientsIn - start.ClientsIn && end.OutMsgs - start.OutMsgs == end.ClientsOut - start.ClientsOut)
                || Stopwatch.GetTimestamp() >= deadline)
            {
                return end;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A payload's length, and nothing allocated: what a counting subscriber needs.</summary>
    private sealed class PayloadLength : INatsDeserialize<int>
    {
        public static readonly PayloadLength Instance = new();

        public int Deserialize(in ReadOnlySequence<byte> buffer) => (int)buffer.Length;
    }

    /// <summary>The room index of a chat request (-1 for anything else), so the responder knows which room to publish to.</summary>
    private sealed class ChatRequestRoom : INatsDeserialize<int>
    {
        public static readonly ChatRequestRoom Instance = new();

        public int Deserialize(in ReadOnlySequence<byte> buffer) => NatsBenchPayloads.RoomIndex(buffer);
    }
}
