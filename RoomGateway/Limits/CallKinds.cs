namespace LiveIm.RoomGateway.Limits;

/// <summary>Maps hub method names to <see cref="CallKind"/> and kinds to their names in errors and metrics.</summary>
public static class CallKinds
{
    /// <summary>The number of kinds (the per-connection state holds one bucket per kind).</summary>
    public const int Count = (int)CallKind.Other + 1;

    /// <summary>The kind of hub method <paramref name="method"/>; unknown and future methods are <see cref="CallKind.Other"/>.</summary>
    public static CallKind Of(string method) => method switch
    {
        "JoinRoom" => CallKind.Join,
        "SendChat" => CallKind.Chat,
        "SendGift" => CallKind.Gift,
        "SendLike" => CallKind.Like,
        "Mute" or "Unmute" or "Ban" or "Unban" or "SetSlowMode" or "DeleteMessage" => CallKind.Moderation,
        _ => CallKind.Other,
    };

    /// <summary>The kind's name in <c>rate_limited</c> messages and in the <c>kind</c> tag of the metrics.</summary>
    public static string Name(CallKind kind) => kind switch
    {
        CallKind.Join => "join",
        CallKind.Chat => "chat",
        CallKind.Gift => "gift",
        CallKind.Like => "like",
        CallKind.Moderation => "moderation",
        _ => "other",
    };
}
