namespace LiveIm.RoomService.Limits;

/// <summary>
/// Configuration section <c>Limits</c> as RoomService reads it: the limits that must hold across a user's
/// connections and gateways, or across a room, and are therefore decided in Redis (docs/flow-control.md). The
/// gateway's own per-connection limits live in the same section under other names (RoomGateway/Limits).
/// Every rate is GCRA: a sustained rate plus a burst; a rate of 0 switches the limit off.
/// </summary>
public sealed class SharedLimitsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Limits";

    /// <summary>Largest rate any of these settings accepts (beyond it the limit protects nothing).</summary>
    public const double MaxPerSecond = 100_000;

    /// <summary>Largest burst any of these settings accepts.</summary>
    public const int MaxBurst = 100_000;

    /// <summary>
    /// Chat lines per second one user may send, over all rooms, tabs and gateways. 2/s is faster than anybody types
    /// a line worth reading (a quick typist manages about one short line a second), so people never meet it; a
    /// script pasting lines does, at once. Ten tabs on three gateways share it.
    /// </summary>
    public double UserChatPerSecond { get; set; } = 2;

    /// <summary>
    /// Chat lines a user may send at once after a pause: 5 lets someone fire off a few quick reactions ("gg", "lol",
    /// "!!!") without a refusal, while a flood is cut after five lines.
    /// </summary>
    public int UserChatBurst { get; set; } = 5;

    /// <summary>
    /// Gifts per second one user may send, over all rooms, tabs and gateways. Gifts are paid, so a person rarely
    /// sends more than a few a second even in a "gift combo" (the apps' combo button repeats at ~5-8 taps/s); 10/s
    /// leaves room for that and stops a client bug or a script from filling the room's reliable lane.
    /// </summary>
    public double UserGiftPerSecond { get; set; } = 10;

    /// <summary>Gifts a user may send at once: 20 covers a combo streak sent as fast as the app allows.</summary>
    public int UserGiftBurst { get; set; } = 20;

    /// <summary>
    /// Gifts per second one room accepts from everybody (streamers and moderators included). Every gift is a
    /// reliable, persisted, never-dropped event in every member's frame and one Redis append; 200/s is far above
    /// what the biggest rooms see outside a coordinated spike (hundreds of viewers each sending a few gifts in the
    /// same second) and keeps a room's reliable lane to what a phone can render and a 1,000-event history holds for
    /// several seconds. Accepted gifts are never affected; a refused gift gets <c>rate_limited</c> and may retry.
    /// </summary>
    public double RoomGiftsPerSecond { get; set; } = 200;

    /// <summary>Gifts a room accepts at once after a quiet spell: 400, two seconds' worth, absorbs a spike.</summary>
    public int RoomGiftBurst { get; set; } = 400;

    /// <summary>The per-user chat budget.</summary>
    public RateLimit UserChat => new(UserChatPerSecond, UserChatBurst);

    /// <summary>The per-user gift budget.</summary>
    public RateLimit UserGift => new(UserGiftPerSecond, UserGiftBurst);

    /// <summary>The room gift budget.</summary>
    public RateLimit RoomGifts => new(RoomGiftsPerSecond, RoomGiftBurst);

    /// <summary>True when every value is in range (checked at start-up: RoomService refuses to start otherwise).</summary>
    public bool IsValid() =>
        Valid(UserChatPerSecond, UserChatBurst) && Valid(UserGiftPerSecond, UserGiftBurst) && Valid(RoomGiftsPerSecond, RoomGiftBurst);

    private static bool Valid(double perSecond, int burst) =>
        double.IsFinite(perSecond) && perSecond is >= 0 and <= MaxPerSecond && burst is >= 1 and <= MaxBurst;
}
