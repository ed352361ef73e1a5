namespace LiveIm.RoomService.Configuration;

/// <summary>
/// Configuration section <c>Chat</c>: the room-level chat budget (docs/chat-budget.md). A room may override the
/// default through the admin endpoint (<c>PUT /api/rooms/{roomId}/chat-budget</c>).
/// </summary>
public sealed class ChatBudgetOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Chat";

    /// <summary>Largest budget the configuration or the admin endpoint accepts.</summary>
    public const int MaxBudgetPerSecond = 10_000;

    /// <summary>
    /// Viewer chat lines per second a room delivers (streamers and moderators come on top); 0 = unlimited.
    /// A person reading a fast-scrolling chat takes in on the order of 5–10 lines/s; 20 keeps a hot room visibly
    /// lively (the chat scrolls faster than anybody reads) while staying far from the fan-out cost of hundreds of
    /// lines/s: every admitted line is one more event in every member's frame, so the budget caps what a room of a
    /// million costs the gateways, however many people type.
    /// </summary>
    public int BudgetPerSecond { get; set; } = 20;
}
