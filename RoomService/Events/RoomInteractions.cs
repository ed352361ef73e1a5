using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.Core.Stores;
using LiveIm.RoomService.Configuration;
using LiveIm.RoomService.Publishing;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Events;

/// <summary>
/// Where a room event is born: validates an interaction, admits chat against the room's budget, stamps it (id,
/// reliable seq, serverTs), persists the reliable lane, and hands it to <see cref="RoomEventPublisher"/> to cross the
/// bus once.
/// </summary>
public sealed class RoomInteractions
{
    /// <summary>Largest gift count in one send; more is a client bug or an attack.</summary>
    public const int MaxGiftCount = 10_000;

    /// <summary>Largest like count in one send (a client batching taps for a second stays far below).</summary>
    public const int MaxLikeCount = 1_000;

    /// <summary>Length of a chat budget window: the budget is a number of lines per second.</summary>
    private const long ChatWindowMs = 1000;

    private readonly IRoomStore _store;
    private readonly RoomEventPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ChatBudgetOptions _chat;

    public RoomInteractions(IRoomStore store, RoomEventPublisher publisher, TimeProvider time, IOptions<ChatBudgetOptions> chat)
    {
        _store = store;
        _publisher = publisher;
        _time = time;
        _chat = chat.Value;
    }

    /// <summary>
    /// A chat line: best effort lane, id but no seq, not persisted. The room's chat budget decides first
    /// (docs/chat-budget.md): a line it samples away gets <see cref="ChatReply.Sampled"/> with id 0 and costs no bus
    /// message and no gateway work; every gateway's viewers see the same admitted lines.
    /// </summary>
    public async Task<ChatReply> SendChatAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        ValidateSender(request.From);
        if (!ChatText.TryNormalize(request.Text, out var text, out var error))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, error);
        }

        // One clock reading for the window and serverTs, so a line's serverTs tells which window admitted it
        // (a replay of a window shows exactly what viewers saw).
        var now = Now();
        var admission = await _store.AdmitChatAsync(
            request.RoomId,
            request.From.UserId,
            privileged: request.From.Role is Roles.Streamer or Roles.Moderator, // room-scoped by the gateway
            window: now / ChatWindowMs,
            draw: Random.Shared.NextDouble(), // fair sampling needs uniform numbers, not unpredictable ones
            _chat.BudgetPerSecond,
            cancellationToken);
        if (!admission.Admitted)
        {
            return new ChatReply(0, ChatReply.Sampled);
        }

        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.Chat, Type = RoomEventTypes.Chat, From = request.From, Text = text,
            ServerTs = now,
        };
        await _publisher.PublishAsync(request.RoomId, RoomEventJson.Compose(RoomEventJson.Head(e.RoomId), admission.Id, null, RoomEventJson.Tail(e)), cancellationToken);
        return new ChatReply(admission.Id, ChatReply.Ok);
    }

    /// <summary>Likes: best effort lane.</summary>
    public async Task<LikeReply> SendLikeAsync(LikeRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        ValidateSender(request.From);
        if (request.Count is < 1 or > MaxLikeCount)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, $"count must be between 1 and {MaxLikeCount}");
        }

        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.Like, Type = RoomEventTypes.Likes, From = request.From, Likes = request.Count,
            ServerTs = Now(),
        };
        var id = await _store.NextIdAsync(request.RoomId, cancellationToken);
        await _publisher.PublishAsync(request.RoomId, RoomEventJson.Compose(RoomEventJson.Head(e.RoomId), id, null, RoomEventJson.Tail(e)), cancellationToken);
        return new LikeReply(id, "ok");
    }

    /// <summary>
    /// A gift: reliable lane. Acknowledged only after it is persisted and published. A retry with the same
    /// client message id returns the first id/seq with status <c>duplicate</c>; if the first attempt was persisted
    /// but never reached the bus, the retry publishes it (gateways drop a seq they already delivered).
    /// </summary>
    public async Task<GiftReply> SendGiftAsync(GiftRequest request, CancellationToken cancellationToken)
    {
        RoomIds.EnsureValid(request.RoomId);
        ValidateSender(request.From);
        if (!RoomIds.IsSafeToken(request.GiftId, 64))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "giftId must match ^[A-Za-z0-9_-]{1,64}$");
        }

        if (request.Count is < 1 or > MaxGiftCount)
        {
            throw new RoomException(ErrorCodes.InvalidArgument, $"count must be between 1 and {MaxGiftCount}");
        }

        if (!RoomIds.IsSafeToken(request.ClientMsgId, 64))
        {
            throw new RoomException(ErrorCodes.InvalidArgument, "clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");
        }

        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.Gift, Type = RoomEventTypes.Gift, From = request.From,
            Gift = new GiftInfo(request.GiftId, request.Count), ServerTs = Now(),
        };
        var key = RedisKeys.Gift(request.RoomId, request.From.UserId, request.ClientMsgId);
        var appended = await _store.AppendReliableAsync(request.RoomId, RoomEventJson.Head(e.RoomId), RoomEventJson.Tail(e), key, cancellationToken);
        if (!appended.Duplicate || !appended.Published)
        {
            await _publisher.PublishAsync(request.RoomId, appended.Json, cancellationToken);
            await _store.MarkPublishedAsync(key, cancellationToken);
        }

        return new GiftReply(appended.Id, appended.Seq, appended.Duplicate ? "duplicate" : "ok");
    }


    private static void ValidateSender(EventSender? from)
    {
        // The gateway verified the token; this guards against a gateway bug or a forged bus message.
        if (from is null || string.IsNullOrEmpty(from.UserId) || from.UserId.Length > 128 || from.Name is null
            || from.Name.Length > 64 || !Roles.IsKnown(from.Role))
        {
            throw new RoomException(ErrorCodes.Unauthorized, "sender identity is missing or malformed");
        }
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
