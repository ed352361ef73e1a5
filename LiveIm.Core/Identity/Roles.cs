namespace LiveIm.Core.Identity;

/// <summary>The roles a token may carry (claim <c>role</c>).</summary>
public static class Roles
{
    /// <summary>Watches; may chat, like and gift once signed in.</summary>
    public const string Viewer = "viewer";

    /// <summary>Owns the room named in the token's <c>room</c> claim.</summary>
    public const string Streamer = "streamer";

    /// <summary>Moderates the room named in the token's <c>room</c> claim.</summary>
    public const string Moderator = "moderator";

    /// <summary>True for one of the three roles.</summary>
    public static bool IsKnown(string? role) => role is Viewer or Streamer or Moderator;

    /// <summary>True for the roles that need a <c>room</c> claim.</summary>
    public static bool IsRoomBound(string? role) => role is Streamer or Moderator;
}
