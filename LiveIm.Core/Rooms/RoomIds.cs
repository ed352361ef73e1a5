using System.Buffers;
using LiveIm.Core.Errors;

namespace LiveIm.Core.Rooms;

/// <summary>
/// Room id rules. A room id becomes a NATS subject token (<c>liveim.room.&lt;roomId&gt;</c>) and part of Redis keys,
/// so it must never carry <c>.</c>, <c>*</c>, <c>&gt;</c>, whitespace or anything else that changes a subject's meaning:
/// only <c>^[A-Za-z0-9_-]{1,64}$</c> is accepted.
/// </summary>
public static class RoomIds
{
    /// <summary>Longest accepted room id.</summary>
    public const int MaxLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");

    /// <summary>True when <paramref name="roomId"/> matches <c>^[A-Za-z0-9_-]{1,64}$</c>.</summary>
    public static bool IsValid(string? roomId) =>
        roomId is { Length: > 0 and <= MaxLength } && !roomId.AsSpan().ContainsAnyExcept(Allowed);

    /// <summary>Throws <c>invalid_room</c> unless <paramref name="roomId"/> is valid: the one check every entry point uses.</summary>
    public static void EnsureValid(string? roomId)
    {
        if (!IsValid(roomId))
        {
            throw new RoomException(ErrorCodes.InvalidRoom, "room id must match ^[A-Za-z0-9_-]{1,64}$");
        }
    }

    /// <summary>True when <paramref name="value"/> is a token of the same alphabet (gift ids, client message ids).</summary>
    public static bool IsSafeToken(string? value, int maxLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && !value.AsSpan().ContainsAnyExcept(Allowed);
}
