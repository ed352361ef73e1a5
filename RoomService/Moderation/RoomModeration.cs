using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Rooms;
using LiveIm.RoomService.Events;
using LiveIm.RoomService.Publishing;
using LiveIm.RoomService.Stores;

namespace LiveIm.RoomService.Moderation;

/// <summary>
/// Moderation actions (<c>liveim.svc.moderate</c>): checks the caller's role again (the gateway checked it too, but
/// a forged or buggy bus message must not moderate a room), validates the arguments, writes the room's state and
/// appends the action as a reliable <c>system</c> event in one atomic script, then publishes it once. Being a room
/// event is what makes an action reach everybody: every gateway with members of the room receives it (and closes a
/// banned user's connections), and a client that missed it gets it back with lastSeq.
/// </summary>
public sealed class RoomModeration
{
    private readonly IRoomStore _store;
    private readonly RoomEventPublisher _publisher;
    private readonly TimeProvider _time;

    public RoomModeration(IRoomStore store, RoomEventPublisher publisher, TimeProvider time)
    {
        _store = store;
        _publisher = publisher;
        _time = time;
    }

    /// <summary>Performs one action; the reply is its event's id and seq.</summary>
    public async Task<ModerateReply> ModerateAsync(ModerateRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        RoomInteractions.ValidateSender(request.From);
        if (!RoomInteractions.IsPrivileged(request.From))
        {
            throw new RoomException(ErrorCodes.Forbidden, "only the room's streamer and its moderators may moderate it");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var (info, write) = Validate(request, now);
        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.System, Type = write.Action, From = request.From, Moderation = info, ServerTs = now,
        };
        var appended = await _store.ModerateAsync(request.RoomId, EventDraft.Of(e), write, cancellationToken)
            ?? throw new RoomException(ErrorCodes.InvalidArgument, "id is not a message of this room");

        // Persisted before it is published: if the bus is down the moderator gets `unavailable`, the state is in
        // force already, and the event is in history (clients get it on resume, gateways on their repair read). A
        // retry appends a second event of the same action, which is harmless: every action is idempotent in effect.
        await _publisher.PublishAsync(request.RoomId, appended.Json, cancellationToken);
        return new ModerateReply(appended.Id, appended.Seq);
    }

    private static (ModerationInfo Info, ModerationWrite Write) Validate(ModerateRequest r, long now)
    {
        switch (r.Action)
        {
            case RoomEventTypes.Mute:
            {
                var target = Target(r);
                if (r.Seconds is not (>= 1 and <= ModerationLimits.MaxMuteSeconds) || r.MessageId is not null)
                {
                    throw Invalid($"seconds must be between 1 and {ModerationLimits.MaxMuteSeconds}");
                }

                var seconds = r.Seconds.Value;
                var until = now + (seconds * 1000L);
                return (new ModerationInfo(target, seconds, until), new ModerationWrite(r.Action, target, seconds, until, 0, now));
            }

            case RoomEventTypes.Unmute or RoomEventTypes.Ban or RoomEventTypes.Unban:
            {
                var target = Target(r);
                if (r.Seconds is not null || r.MessageId is not null)
                {
                    throw Invalid($"{r.Action} takes only a userId");
                }

                return (new ModerationInfo(target), new ModerationWrite(r.Action, target, 0, 0, 0, now));
            }

            case RoomEventTypes.SlowMode:
                if (r.Seconds is not (>= 0 and <= ModerationLimits.MaxSlowModeSeconds) || r.UserId is not null || r.MessageId is not null)
                {
                    throw Invalid($"seconds must be between 0 (off) and {ModerationLimits.MaxSlowModeSeconds}");
                }

                return (new ModerationInfo(Seconds: r.Seconds.Value), new ModerationWrite(r.Action, null, r.Seconds.Value, 0, 0, now));

            case RoomEventTypes.Delete:
                if (r.MessageId is not > 0 || r.UserId is not null || r.Seconds is not null)
                {
                    throw Invalid("id must be a message id (> 0)");
                }

                return (new ModerationInfo(MessageId: r.MessageId.Value), new ModerationWrite(r.Action, null, 0, 0, r.MessageId.Value, now));

            default:
                throw Invalid("action must be one of mute, unmute, ban, unban, slow_mode, delete");
        }

        string Target(ModerateRequest request)
        {
            if (!UserIds.IsValid(request.UserId))
            {
                throw Invalid($"userId must be 1..{UserIds.MaxLength} characters without control characters");
            }

            if (request.UserId == request.From.UserId)
            {
                throw Invalid("a moderator cannot moderate themselves");
            }

            return request.UserId!;
        }
    }

    private static RoomException Invalid(string message) => new(ErrorCodes.InvalidArgument, message);
}
