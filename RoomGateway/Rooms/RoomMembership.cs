using LiveIm.Core.Bus.Contracts;
using LiveIm.RoomGateway.Delivery;
using LiveIm.RoomGateway.Backend;
using LiveIm.RoomGateway.Presence;
using LiveIm.RoomGateway.Subscriptions;

namespace LiveIm.RoomGateway.Rooms;

/// <summary>
/// Joins and leaves: keeps room → local members, subscribes a room on its first local member and unsubscribes on
/// its last, and runs the resume protocol (hold live events, send history after lastSeq, then the held events). A
/// room's first join holds the room's gate until its answer sets where the room's reliable seq starts.
/// </summary>
public sealed class RoomMembership
{
    private readonly RoomRegistry _registry;
    private readonly RoomSubscriptions _subscriptions;
    private readonly RoomServiceClient _roomService;
    private readonly GatewayIdentity _gateway;
    private readonly FanoutMetrics _metrics;
    private readonly PresenceWrites _presence;
    private readonly FanoutOptions _fanout;

    // A resume past what one join reply carries (History:MaxReplay, 1,000 events by default: a reply must stay well
    // under NATS's 1 MB message limit) goes on in pages of this many, up to 60 pages: 60,000 reliable events, ten
    // times the history a room keeps by default (History:MaxCount, 6,000: 30 s at the gift cap), so the bound only
    // stops a resume against a history configured far larger.
    private const int ResumePageSize = 1000;
    private const int MaxResumePages = 60;
    private const int ResumePollMs = 10;
    private const int ResumeWriteWaitMs = 5000;

    public RoomMembership(
        RoomRegistry registry, RoomSubscriptions subscriptions, RoomServiceClient roomService, GatewayIdentity gateway, FanoutMetrics metrics,
        PresenceWrites presence, FanoutOptions fanout)
    {
        _fanout = fanout;
        _metrics = metrics;
        _presence = presence;
        _registry = registry;
        _subscriptions = subscriptions;
        _roomService = roomService;
        _gateway = gateway;
    }

    /// <summary>The JoinRoom result; <paramref name="GatewayId"/> is this gateway's (what a client names in assignment's
    /// <c>avoid=</c> if it loses this connection).</summary>
    public sealed record JoinResult(string RoomId, long Seq, bool Recovered, long Online, long ServerTime, string GatewayId);

    /// <summary>Joins <paramref name="roomId"/>, leaving the current room first.</summary>
    public async Task<JoinResult> JoinAsync(RoomMember member, string roomId, long? lastSeq, CancellationToken ct)
    {
        await member.MembershipLock.WaitAsync(ct);
        try
        {
            if (member.RoomId is not null)
            {
                await LeaveCoreAsync(member);
            }

            member.BeginHold();
            var (room, fresh) = await AddAsync(member, roomId, ct);
            // The room's count with this member in it, for RoomService to record in the join's own presence call
            // when nothing wrote it for a quarter second (else it is written by the presence reporter shortly).
            var count = room.Count;
            long? localOnline = count > 0 && _presence.TryClaimJoinWrite(roomId) ? count : null;
            // A resume the room's memory of its latest reliable events covers (the usual case when viewers move here
            // from a gateway that died or drained) takes those from memory and asks RoomService only for what came
            // after them; held live frames and the floor below de-duplicate the overlap either way.
            List<TickEvent> recent = [];
            var askAfter = lastSeq;
            if (lastSeq is { } resumeAfter && !fresh && room.TryRecentAfter(resumeAfter, out recent, out var lastHeld))
            {
                askAfter = lastHeld;
                _metrics.ResumedFromMemory(recent.Count);
            }

            JoinReply reply;
            try
            {
                var from = member.Identity.IsAnonymous ? null : member.Identity.SenderIn(roomId);
                reply = await _roomService.JoinAsync(new JoinRequest(roomId, askAfter, _gateway.Id, from, localOnline), ct);
                if (fresh)
                {
                    room.SetBaseline(reply.Seq);
                }
            }
            catch
            {
                member.CancelHold();
                if (fresh)
                {
                    await RemoveLockedAsync(member, room);
                }
                else
                {
                    await RemoveAsync(member, room);
                }

                throw;
            }
            finally
            {
                if (fresh)
                {
                    room.Lifecycle.Exit();
                }
            }

            member.RoomId = roomId;
            var history = reply.Events.Select(TickEvent.FromHistory).ToList();
            var recovered = reply.Recovered;
            if (recent.Count > 0)
            {
                history.InsertRange(0, recent);
            }

            if (askAfter is not null && !recovered && ResumeIsCut(history, reply.Seq))
            {
                try
                {
                    var whole = IsRunFrom(history, lastSeq + 1 ?? 0);
                    var reached = false;
                    (history, reached) = await ResumeRestAsync(member, roomId, history, reply.Seq, ct);
                    recovered = reached && whole;
                }
                catch
                {
                    member.CancelHold();
                    member.RoomId = null;
                    await RemoveAsync(member, room);
                    throw;
                }
            }

            // What this connection already has: the history just read, and with lastSeq what the client said it
            // holds (up to the room's seq: a lastSeq beyond it is not believed).
            var maxSeq = history.Count == 0 ? 0 : history.Max(e => e.Seq!.Value);
            var floor = Math.Max(maxSeq, Math.Min(lastSeq ?? 0, reply.Seq));

            // A long resume (thousands of gifts from the room's memory) goes out a page at a time before the last page
            // and the held frames: all at once it would pass the backlog limit and close the member as slow.
            history = await SendLeadingPagesAsync(member, history, ct);
            member.CompleteHold(history, floor);
            _metrics.Joined();
            // The other gateways' live reports (each at most a quarter second behind its members, or an interval
            // for a gateway that cannot reach Redis) plus this gateway's members now, this one included.
            return new JoinResult(roomId, reply.Seq, recovered, reply.OnlineElsewhere + room.Count, reply.ServerTime, _gateway.Id);
        }
        finally
        {
            member.MembershipLock.Release();
        }
    }

    // A resume that the join's reply cut at its size limit: its events end before the room's seq. The rest is read
    // on either way; the resume is recovered when the events also start right after lastSeq (history had not
    // trimmed any of the gap) and the pages reach the room's seq without a hole.
    private static bool ResumeIsCut(List<TickEvent> history, long roomSeq) =>
        history.Count > 0 && history[^1].Seq < roomSeq;

    // True when the events are seqs first, first + 1, ... without a hole.
    private static bool IsRunFrom(List<TickEvent> events, long first)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Seq != first + i)
            {
                return false;
            }
        }

        return true;
    }

    // Reads the rest of a cut resume from history, a page at a time, sending each page before reading the next and
    // waiting (a bounded while) until the transport has taken it, so a reconnect storm of long resumes holds at
    // most a page per connection; live frames stay held meanwhile. Returns the last page (for CompleteHold, which
    // sends it with the held frames) and whether the pages reached the room's seq at the join without a hole.
    private async Task<(List<TickEvent> Last, bool Recovered)> ResumeRestAsync(
        RoomMember member, string roomId, List<TickEvent> page, long roomSeq, CancellationToken ct)
    {
        for (var pages = 1; pages < MaxResumePages; pages++)
        {
            var last = page[^1].Seq!.Value;
            var rest = await SendLeadingPagesAsync(member, page, ct);
            member.SendResumePage(rest);
            await WhenTakenAsync(member, ct);
            if (member.IsClosed)
            {
                return ([], false);
            }

            var next = await _roomService.HistoryAsync(new HistoryRequest(roomId, last, ResumePageSize), ct);
            page = next.Events.Select(TickEvent.FromHistory).Where(e => e.Seq <= roomSeq).ToList();
            if (page.Count == 0 || page[0].Seq != last + 1)
            {
                return (page, false); // trimmed while we read: what is left is all history still has
            }

            _metrics.ResumePageRead();
            if (page[^1].Seq == roomSeq)
            {
                return (page, true);
            }
        }

        return (page, false);
    }

    // A resume of at most half of Fanout:CloseBacklogBytes goes out at once (the join does not wait for the client:
    // in a reconnect storm on a busy machine, waiting would hold every join for seconds). A longer one is sent as all
    // but its last page (pages of a quarter of the limit), each taken by the transport before the next; returns what
    // is left to send, which may be all of it.
    private async Task<List<TickEvent>> SendLeadingPagesAsync(RoomMember member, List<TickEvent> events, CancellationToken ct)
    {
        long total = 0;
        foreach (var e in events)
        {
            total += e.Json.Length;
        }

        if (total <= _fanout.CloseBacklogBytes / 2)
        {
            return events;
        }

        // Pages are cut as frames are (FramePieces), at a quarter of the limit; the last is left for the caller.
        List<TickEvent>? last = null;
        foreach (var page in FramePieces.Of(events, _fanout.CloseBacklogBytes / 4))
        {
            if (last is not null)
            {
                member.SendResumePage(last);
                await WhenTakenAsync(member, ct);
                if (member.IsClosed)
                {
                    return [];
                }
            }

            last = page;
        }

        return last ?? events;
    }

    // Polls until the member's frames are in the transport, at most ResumeWriteWaitMs: a client that does not read
    // gets the next page anyway and, if it still does not read, meets the backlog limit like any slow consumer.
    private static async Task WhenTakenAsync(RoomMember member, CancellationToken ct)
    {
        for (var waited = 0; member.ResumeBacklog && waited < ResumeWriteWaitMs; waited += ResumePollMs)
        {
            await Task.Delay(ResumePollMs, ct);
        }
    }

    /// <summary>Leaves the current room, if any.</summary>
    public async Task LeaveAsync(RoomMember member)
    {
        await member.MembershipLock.WaitAsync();
        try
        {
            await LeaveCoreAsync(member);
        }
        finally
        {
            member.MembershipLock.Release();
        }
    }

    private async Task LeaveCoreAsync(RoomMember member)
    {
        if (member.RoomId is { } roomId && _registry.TryGetRoom(roomId, out var room))
        {
            await RemoveAsync(member, room);
        }

        member.RoomId = null;
    }

    // Adds the member to the room, subscribing the room on its first member. A fresh room comes back with its Gate
    // still held: the caller leaves it once the join's answer has set the room's seq baseline, so that every
    // later join of this room is answered after the baseline (its history then reaches where live delivery starts).
    private async Task<(LocalRoom Room, bool Fresh)> AddAsync(RoomMember member, string roomId, CancellationToken ct)
    {
        while (true)
        {
            var room = _registry.GetOrAddRoom(roomId);
            await room.Lifecycle.EnterAsync(ct);
            var keepGate = false;
            try
            {
                if (room.Lifecycle.Retired)
                {
                    continue; // the last member left while we waited; the registry holds a new room now
                }

                var fresh = !room.Lifecycle.IsSubscribed;
                room.Add(member);
                if (fresh)
                {
                    try
                    {
                        await _subscriptions.SubscribeAsync(room, ct);
                    }
                    catch
                    {
                        room.Remove(member);
                        await RetireAsync(room);
                        throw;
                    }
                }

                keepGate = fresh;
                return (room, fresh);
            }
            finally
            {
                if (!keepGate)
                {
                    room.Lifecycle.Exit();
                }
            }
        }
    }

    private async Task RemoveAsync(RoomMember member, LocalRoom room)
    {
        await room.Lifecycle.EnterAsync();
        try
        {
            await RemoveLockedAsync(member, room);
        }
        finally
        {
            room.Lifecycle.Exit();
        }
    }

    // Under the room's gate.
    private async Task RemoveLockedAsync(RoomMember member, LocalRoom room)
    {
        if (!room.Remove(member))
        {
            return;
        }

        _presence.Changed(room.RoomId);
        if (room.Count == 0 && !room.Lifecycle.Retired)
        {
            await RetireAsync(room);
        }
    }

    // Under the room's gate: the room leaves the registry (the next join makes a new one) and its subscription ends.
    private async Task RetireAsync(LocalRoom room)
    {
        var subscription = room.Lifecycle.Retire();
        _registry.RemoveRoom(room);
        await _subscriptions.UnsubscribeAsync(room, subscription);
    }
}
