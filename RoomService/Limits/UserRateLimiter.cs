using LiveIm.Core.Errors;
using LiveIm.RoomService.Stores;
using Microsoft.Extensions.Options;

namespace LiveIm.RoomService.Limits;

/// <summary>
/// The per-user send rates (chat, gifts), shared by every connection of a user on every gateway: one GCRA key per
/// user and kind under the <c>{user:&lt;id&gt;}</c> hash tag, taken in its own script call before the room's
/// script (Redis Cluster: one slot per script). A refusal is <c>rate_limited</c> with the exact retry time.
/// </summary>
public sealed class UserRateLimiter
{
    private readonly IRoomStore _store;
    private readonly SharedLimitsOptions _options;

    public UserRateLimiter(IRoomStore store, IOptions<SharedLimitsOptions> options)
    {
        _store = store;
        _options = options.Value;
    }

    /// <summary>Charges one chat line to <paramref name="userId"/>, or throws <c>rate_limited</c>.</summary>
    public Task TakeChatAsync(string userId, long nowMs, CancellationToken ct) => TakeAsync(userId, SendKind.Chat, _options.UserChat, nowMs, ct);

    /// <summary>Charges one gift to <paramref name="userId"/>, or throws <c>rate_limited</c>.</summary>
    public Task TakeGiftAsync(string userId, long nowMs, CancellationToken ct) => TakeAsync(userId, SendKind.Gift, _options.UserGift, nowMs, ct);

    /// <summary>Gives back the gift token of a gift the room then refused (its gift rate): the retry must not pay twice.</summary>
    public Task RefundGiftAsync(string userId, long nowMs, CancellationToken ct) =>
        _store.RefundUserRateAsync(userId, SendKind.Gift, nowMs, _options.UserGift, ct);

    private async Task TakeAsync(string userId, SendKind kind, RateLimit limit, long nowMs, CancellationToken ct)
    {
        if (limit.IsOff)
        {
            return;
        }

        var retry = await _store.TakeUserRateAsync(userId, kind, nowMs, limit, ct);
        if (retry > 0)
        {
            throw new RoomException(
                ErrorCodes.RateLimited, $"too many {(kind == SendKind.Gift ? "gift" : "chat")} sends from this user ({limit.PerSecond:0.##}/s, burst {limit.Burst}) across all connections", retry);
        }
    }
}
