namespace LiveIm.Core.Identity;

/// <summary>JWT claim names of LiveIm tokens.</summary>
public static class ClaimNames
{
    /// <summary>User id.</summary>
    public const string Subject = "sub";

    /// <summary>Display name.</summary>
    public const string Name = "name";

    /// <summary>One of <see cref="Roles"/>.</summary>
    public const string Role = "role";

    /// <summary>The room a streamer or moderator token is for.</summary>
    public const string Room = "room";

    /// <summary>Issuer and audience of LiveIm tokens.</summary>
    public const string Issuer = "liveim";
}
