namespace LiveIm.Core.Rooms;

/// <summary>
/// The shape of a user id as moderation accepts it for a target: what a token's <c>sub</c> may be (1..128
/// characters, as the dev token endpoint and RoomService's sender check allow), without control characters or
/// unpaired surrogates, and not blank. A target can therefore never be a 10 KB string or carry bytes that would
/// garble a Redis key or an event's JSON.
/// </summary>
public static class UserIds
{
    /// <summary>Longest user id (the token <c>sub</c> limit).</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="userId"/> can be a user id.</summary>
    public static bool IsValid(string? userId)
    {
        if (userId is not { Length: > 0 and <= MaxLength } || string.IsNullOrWhiteSpace(userId))
        {
            return false;
        }

        for (var i = 0; i < userId.Length; i++)
        {
            var c = userId[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= userId.Length || !char.IsLowSurrogate(userId[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
