using LiveIm.Core.Bus.Contracts;
using LiveIm.Core.Errors;
using LiveIm.Core.Events;
using LiveIm.Core.Identity;
using LiveIm.Core.Rooms;
using LiveIm.RoomService.Configuration;
using LiveIm.RoomService.Limits;
using LiveIm.RoomService.Publishing;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Events;

/// <summary>
/// Where a room event is born: validates an interaction, admits chat against the room's budget, stamps it (id,
/// reliable seq, serverTs, and in the same store call streamTs/streamEpoch from the room's stream clock), persists
/// the reliable lane and, when the room has a clock, the replay store, and hands it to <see cref="RoomEventPublisher"/> to cross the
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
    private readonly SharedLimitsOptions _limits;
    private readonly UserRateLimiter _userRates;

    public RoomInteractions(
        IRoomStore store, RoomEventPublisher publisher, TimeProvider time, IOptions<ChatBudgetOptions> chat,
        IOptions<SharedLimitsOptions> limits, UserRateLimiter userRates)
    {
        _store = store;
        _publisher = publisher;
        _time = time;
        _chat = chat.Value;
        _limits = limits.Value;
        _userRates = userRates;
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
        var privileged = IsPrivileged(request.From);

        // The user's own rate first, in its own script call ({user:<id>} is another Redis Cluster slot than the
        // room). Streamers and moderators of the room are exempt: chat is how they run the room (a moderator may
        // need several warnings in a second during a raid), only a few signed tokens per room carry the role, and
        // the gateway's per-connection limit still bounds each of their connections. A line the room then refuses
        // (muted, slow mode, sampled) has used its token: the budget counts what a user sends, not what is shown.
        if (!privileged)
        {
            await _userRates.TakeChatAsync(request.From.UserId, now, cancellationToken);
        }

        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.Chat, Type = RoomEventTypes.Chat, From = request.From, Text = text,
            ServerTs = now,
        };

        // The script stamps an admitted line with the stream clock as it is at `now` and stores it for replay, in the
        // same round trip as the admission.
        var admission = await _store.AdmitChatAsync(
            request.RoomId,
            request.From.UserId,
            privileged, // room-scoped by the gateway
            now,
            window: now / ChatWindowMs,
            draw: Random.Shared.NextDouble(), // fair sampling needs uniform numbers, not unpredictable ones
            _chat.BudgetPerSecond,
            EventDraft.Of(e),
            cancellationToken);
        if (!admission.Admitted)
        {
            return admission.Refusal switch
            {
                ChatRefusal.Banned => throw Banned(),
                ChatRefusal.Muted => throw new RoomException(ErrorCodes.Muted, $"you are muted in this room until {admission.Detail}"),
                ChatRefusal.SlowMode => throw new RoomException(
                    ErrorCodes.RateLimited, "slow mode: one line per user per interval in this room", admission.Detail),
                _ => new ChatReply(0, ChatReply.Sampled),
            };
        }

        await _publisher.PublishAsync(request.RoomId, admission.Json ?? [], cancellationToken);
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
        // Likes are counters: muted users may still like, and no per-user rate (the gateway's per-connection limit
        // and the like aggregation bound their cost). A banned user may not.
        var like = await _store.AppendLikeAsync(
            request.RoomId, request.From.UserId, IsPrivileged(request.From), EventDraft.Of(e), e.ServerTs, cancellationToken)
            ?? throw Banned();
        await _publisher.PublishAsync(request.RoomId, like.Json, cancellationToken);
        return new LikeReply(like.Id, "ok");
    }

    /// <summary>
    /// A gift: reliable lane. Acknowledged only after it is persisted and published. A retry with the same
    /// client message id returns the first id/seq with status <c>duplicate</c>; if the first attempt was persisted
    /// but never reached the bus, the retry publishes it (gateways drop a seq they already delivered).
    /// <para>
    /// Limits, in this order: a retry of a known gift (its idempotency record exists) goes straight to the append,
    /// which answers it as a duplicate before any check, so a retry is never refused and never charged. A new gift
    /// takes one token of the sender's per-user gift rate (no exemption for streamers and moderators: gifts are not a
    /// moderation tool), then the append checks the ban and the room's gift rate atomically with the idempotency
    /// record. A gift the room's rate refuses gets its user token back (the user did nothing wrong; the retry must
    /// not pay twice). Two first attempts racing each other are both charged (one becomes the duplicate): a token,
    /// never a gift, is what such a race can cost. Muted users may still send gifts: a mute silences text, and a gift is a
    /// paid act the streamer wants; a ban stops gifts too.
    /// </para>
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

        var now = Now();
        var e = new RoomEvent
        {
            RoomId = request.RoomId, Lane = Lane.Gift, Type = RoomEventTypes.Gift, From = request.From,
            Gift = new GiftInfo(request.GiftId, request.Count), ServerTs = now,
        };
        var key = new GiftKey(request.From.UserId, request.ClientMsgId);
        var charged = false;
        if (!await _store.GiftExistsAsync(request.RoomId, key, cancellationToken))
        {
            await _userRates.TakeGiftAsync(request.From.UserId, now, cancellationToken);
            charged = true;
        }

        var checks = new AppendChecks(request.From.UserId, IsPrivileged(request.From), now, _limits.RoomGifts);
        var appended = await _store.AppendReliableAsync(request.RoomId, EventDraft.Of(e), key, checks, cancellationToken);
        switch (appended.Refusal)
        {
            case AppendRefusal.Banned:
                throw Banned();
            case AppendRefusal.RoomRate:
                if (charged)
                {
                    await _userRates.RefundGiftAsync(request.From.UserId, now, cancellationToken);
                }

                throw new RoomException(
                    ErrorCodes.RateLimited, $"the room's gift rate is exhausted ({_limits.RoomGiftsPerSecond:0.##}/s)", appended.RetryAfterMs);
        }

        if (!appended.Duplicate || !appended.Published)
        {
            await _publisher.PublishAsync(request.RoomId, appended.Json, cancellationToken);
            await _store.MarkPublishedAsync(request.RoomId, key, cancellationToken);
        }

        return new GiftReply(appended.Id, appended.Seq, appended.Duplicate ? "duplicate" : "ok");
    }

    /// <summary>The <c>banned</c> error of sends and joins.</summary>
    internal static RoomException Banned() => new(ErrorCodes.Banned, "you are banned from this room");

    /// <summary>A streamer or moderator of the room (the gateway made the role room-scoped).</summary>
    internal static bool IsPrivileged(EventSender from) => from.Role is Roles.Streamer or Roles.Moderator;

    internal static void ValidateSender(EventSender? from)
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
