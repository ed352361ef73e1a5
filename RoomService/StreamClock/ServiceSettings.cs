using LiveIm.Hosting.Auth;

namespace LiveIm.RoomService.StreamClock;

/// <summary>
/// Configuration <c>Service:Token</c>: the bearer token of the endpoints other back-end services call (the media
/// server's <c>POST /api/rooms/{roomId}/stream-clock</c>). A secret under exactly the rule of <c>Admin:Token</c>
/// (<see cref="SecretSetting"/>): outside Development a missing, short or development token stops the process. A token
/// of its own, not the admin one: a media server must not be able to change a room's chat budget, and each can be
/// rotated alone.
/// </summary>
public sealed class ServiceSettings : BearerSecret
{
    /// <summary>The token local runs use when none is configured. Never valid outside Development.</summary>
    public const string DevelopmentToken = "liveim-DEVELOPMENT-ONLY-service-token";

    /// <summary>The setting that holds the token (environment: <c>Service__Token</c>).</summary>
    public const string TokenSetting = "Service:Token";

    /// <summary>Shortest accepted token, in characters (the same as <c>Admin:Token</c>).</summary>
    public const int MinTokenLength = 16;

    /// <inheritdoc />
    public override string Name => "service token";

    /// <summary>True when the development token is in use.</summary>
    public bool IsDevelopmentToken => Token == DevelopmentToken;

    /// <summary>The rule <c>Service:Token</c> is checked by.</summary>
    public static readonly SecretRule Rule = new(
        TokenSetting, DevelopmentToken, MinTokenLength, "token",
        "the bearer token back-end services (the media server's stream clock reports) present to RoomService");
}
