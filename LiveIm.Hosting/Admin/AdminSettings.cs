using LiveIm.Hosting.Auth;

namespace LiveIm.Hosting.Admin;

/// <summary>
/// Configuration <c>Admin:Token</c>: the bearer token of the admin endpoints of RoomService (chat budgets) and of
/// every gateway (<c>POST /admin/drain</c>). Outside Development a missing, short or development token stops the
/// process (the same rule as <c>Auth:SigningKey</c>).
/// </summary>
public sealed class AdminSettings : BearerSecret
{
    /// <summary>The token local runs use when none is configured. Never valid outside Development.</summary>
    public const string DevelopmentToken = "liveim-DEVELOPMENT-ONLY-admin-token";

    /// <summary>The setting that holds the token (environment: <c>Admin__Token</c>).</summary>
    public const string TokenSetting = "Admin:Token";

    /// <summary>Shortest accepted token, in characters: short enough to type, long enough not to guess online.</summary>
    public const int MinTokenLength = 16;

    /// <inheritdoc />
    public override string Name => "admin token";

    /// <summary>True when the development token is in use.</summary>
    public bool IsDevelopmentToken => Token == DevelopmentToken;

    /// <summary>The rule <c>Admin:Token</c> is checked by; <paramref name="purpose"/> is what it guards in this process.</summary>
    public static SecretRule Rule(string purpose) => new(TokenSetting, DevelopmentToken, MinTokenLength, "token", purpose);
}
