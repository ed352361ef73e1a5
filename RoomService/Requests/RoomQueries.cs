using System.Text.Json;
using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Rooms;
using LiveIm.Hosting.Presence;
using LiveIm.RoomService.Events;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Requests;

/// <summary>Read-side requests of gateways: the join snapshot and reliable-lane repair.</summary>
public sealed class RoomQueries
{
    private readonly IRoomStore _store;
    private readonly RoomStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly PresenceOptions _presence;

    public RoomQueries(IRoomStore store, IOptions<RoomStoreOptions> options, TimeProvider time, PresenceOptions presence)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _presence = presence;
    }

    /// <summary>
    /// Current seq, online count elsewhere (after recording the joining gateway's fresh local count, when the request
    /// carries one) and, when resuming, the reliable events after lastSeq.
    /// </summary>
    public async Task<JoinReply> JoinAsync(JoinRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        if (request.LastSeq is < 0)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "lastSeq must be >= 0");
        }

        // The count becomes the gateway's presence report until its next one, so a value no gateway can hold (or one
        // with no gateway to file it under) is refused before anything is written: the room's total stays as it was.
        if (request.LocalOnline is { } local && (local is < 1 or > JoinRequest.MaxLocalOnline || string.IsNullOrEmpty(request.GatewayId)))
        {
            throw new RoomException(
                ErrorCodes.InvalidArgument,
                $"localOnline must be a whole number 1..{JoinRequest.MaxLocalOnline} (the joining gateway's members of the room, the joiner included) with a gatewayId; the request sent {local}");
        }

        // A banned user may not join (as a viewer: a streamer or moderator of the room is never refused, their role
        // comes from a signed token). Anonymous viewers carry no identity to ban. The check goes out in the same
        // pipeline flush as the join's other reads, so a join storm still costs one Redis round trip per join.
        var bannedTask = request.From is { } from && !RoomInteractions.IsPrivileged(from) && !string.IsNullOrEmpty(from.UserId)
            ? _store.IsBannedAsync(request.RoomId, from.UserId, cancellationToken)
            : Task.FromResult(false);
        var onlineTask = _store.OnlineElsewhereAsync(request.RoomId, request.GatewayId ?? string.Empty, request.LocalOnline, _presence.Ttl, cancellationToken);
        JoinReply reply;
        if (request.LastSeq is { } lastSeq)
        {
            var slice = await _store.ReadHistoryAsync(request.RoomId, lastSeq, _options.MaxReplay, cancellationToken);
            reply = new JoinReply(slice.CurrentSeq, slice.Covers(lastSeq), 0, 0, ToElements(slice));
        }
        else
        {
            reply = new JoinReply(await _store.CurrentSeqAsync(request.RoomId, cancellationToken), true, 0, 0, []);
        }

        if (await bannedTask)
        {
            throw RoomInteractions.Banned();
        }

        return reply with { OnlineElsewhere = await onlineTask, ServerTime = _time.GetUtcNow().ToUnixTimeMilliseconds() };
    }

    /// <summary>Reliable events after a seq, for a gateway repairing after a bus outage or a gap.</summary>
    public async Task<HistoryReply> HistoryAsync(HistoryRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        if (request.AfterSeq < 0)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "afterSeq must be >= 0");
        }

        var limit = Math.Clamp(request.Limit, 1, _options.MaxReplay);
        var slice = await _store.ReadHistoryAsync(request.RoomId, request.AfterSeq, limit, cancellationToken);
        var complete = slice.Events.Count == 0 ? request.AfterSeq >= slice.CurrentSeq : slice.Events[0].Seq == request.AfterSeq + 1;
        return new HistoryReply(slice.CurrentSeq, complete, ToElements(slice));
    }

    private static List<JsonElement> ToElements(HistorySlice slice)
    {
        var list = new List<JsonElement>(slice.Events.Count);
        foreach (var (_, json) in slice.Events)
        {
            using var doc = JsonDocument.Parse(json);
            list.Add(doc.RootElement.Clone());
        }

        return list;
    }
}
